"""
Django settings used by the test suite (pytest, tox) and by manage.py.

SQLite by default.  With DISTINGUISHED_TEST_DB=mysql (the *-mariadb tox
environments) the tests use MariaDB/MySQL on DB_HOST:DB_PORT (default
127.0.0.1:3306, user root, empty password).
"""
import os
import sys

BASE_DIR = os.path.dirname(os.path.abspath(__file__))

SECRET_KEY = "insecure-secret-key-for-tests-only"  # nosec

DEBUG = False

ALLOWED_HOSTS = ["*"]

if os.environ.get("DISTINGUISHED_TEST_DB") == "mysql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "NAME": "distinguished",
            "HOST": os.environ.get("DB_HOST", "127.0.0.1"),
            "PORT": os.environ.get("DB_PORT", "3306"),
            "USER": os.environ.get("DB_USER", "root"),
            "PASSWORD": os.environ.get("DB_PASSWORD", ""),
            "OPTIONS": {
                "charset": "utf8mb4",
            },
            "TEST": {
                # Overridable so that two runs on one server (a developer's and CI's) do not collide.
                "NAME": os.environ.get("DISTINGUISHED_TEST_DB_NAME", "test_distinguished"),
                "CHARSET": "utf8mb4",
                "COLLATION": "utf8mb4_unicode_ci",
            },
        },
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.path.join(BASE_DIR, "default.sqlite3"),
            "TEST": {
                # In-memory database for the tests.
                "NAME": ":memory:",
            },
        },
    }

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "openedx_distinguished.apps.DistinguishedConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "test_urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = os.path.join(BASE_DIR, "test_static")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# Fast hashing: the suite creates many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# No monitoring backends (New Relic, Datadog) in tests.
OPENEDX_TELEMETRY = []

# What the LMS gives plugins' REST APIs: edx-drf-extensions' JwtAuthentication reads JWT_AUTH.
JWT_AUTH = {
    "JWT_ISSUERS": [
        {
            "ISSUER": "https://lms.test/oauth2",
            "AUDIENCE": "lms-key",
            "SECRET_KEY": "lms-jwt-secret-for-tests-0123456789abcdef",
        },
    ],
    "JWT_ISSUER": "https://lms.test/oauth2",
    "JWT_AUDIENCE": "lms-key",
    "JWT_SECRET_KEY": "lms-jwt-secret-for-tests-0123456789abcdef",
    "JWT_ALGORITHM": "HS256",
    "JWT_AUTH_HEADER_PREFIX": "JWT",
    "JWT_SUPPORTED_VERSION": "1.2.0",
    "JWT_AUTH_COOKIE_HEADER_PAYLOAD": "edx-jwt-cookie-header-payload",
    "JWT_AUTH_COOKIE_SIGNATURE": "edx-jwt-cookie-signature",
}

# Apply the plugin's own test settings last (lms.djangoapp plugin_settings hook).
# pylint: disable=wrong-import-position
from openedx_distinguished.settings.test import plugin_settings  # noqa: E402

plugin_settings(sys.modules[__name__])

# A cache shared between processes, for the tests that check what several LMS processes see
# (tests/integration/test_shared_cache.py starts a second process with the same settings).
if os.environ.get("DISTINGUISHED_TEST_CACHE_REDIS"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["DISTINGUISHED_TEST_CACHE_REDIS"],
            "KEY_PREFIX": os.environ.get("DISTINGUISHED_TEST_CACHE_PREFIX", "distinguished-test"),
        },
    }
