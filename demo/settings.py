"""
Settings of the demo host: like the LMS, it finds plugin apps through the ``lms.djangoapp`` entry
point and lets each plugin add its own settings with ``edx_django_utils.plugins``.
"""
import os
from pathlib import Path

from edx_django_utils.plugins import add_plugins, get_plugin_apps

LMS_PROJECT_TYPE = "lms.djangoapp"  # the LMS's ProjectType.LMS
HERE = Path(__file__).resolve().parent

SECRET_KEY = "demo-only-not-secret"  # nosec - a local demo, never deployed
DEBUG = os.environ.get("DISTINGUISHED_DEMO_DEBUG", "1") != "0"  # the load test runs with 0
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "demo.demo_site",
] + get_plugin_apps(LMS_PROJECT_TYPE)

MIDDLEWARE = [
    "demo.demo_site.mfe.MfeCorsMiddleware",  # the MFEs' origins (DISTINGUISHED_DEMO_MFE_ORIGINS)
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # As in the LMS: the MFEs' two JWT cookies, joined again for JwtAuthentication.
    "edx_rest_framework_extensions.auth.jwt.middleware.JwtAuthCookieMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "demo.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.debug",
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]

# `make demo PORT=8001` serves on another port: links, badge images and credential ids follow it,
# so each port keeps its own database (credentials are signed with the address they were issued at).
PORT = int(os.environ.get("DISTINGUISHED_DEMO_PORT") or 8000)
# DISTINGUISHED_DEMO_DB_PATH puts the database elsewhere (the demo's own test uses a temporary one).
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ.get(
    "DISTINGUISHED_DEMO_DB_PATH", str(HERE / ("demo.sqlite3" if PORT == 8000 else f"demo-{PORT}.sqlite3")))}}
# The load test (make loadtest) serves the demo from gunicorn on MariaDB, as a production LMS would:
# DISTINGUISHED_DEMO_DB=mysql uses the database DISTINGUISHED_DEMO_DB_NAME on DB_HOST:DB_PORT.
if os.environ.get("DISTINGUISHED_DEMO_DB") == "mysql":
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.mysql",
        "NAME": os.environ.get("DISTINGUISHED_DEMO_DB_NAME", "distinguished_demo"),
        "HOST": os.environ.get("DB_HOST", "127.0.0.1"),
        "PORT": os.environ.get("DB_PORT", "3306"),
        "USER": os.environ.get("DB_USER", "root"),
        "PASSWORD": os.environ.get("DB_PASSWORD", ""),
        "OPTIONS": {"charset": "utf8mb4"},
    }}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"
LOGIN_URL = "/login"  # as in the LMS; the demo's sign-in page lists every demo account
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# What the LMS provides to plugins' REST APIs: the session, and the JWT cookies its apps (MFEs) send,
# which the demo sets at POST /login_refresh as the LMS does (demo/demo_site/mfe.py).
JWT_AUTH = {
    "JWT_ISSUERS": [{"ISSUER": "http://127.0.0.1:8000/oauth2", "AUDIENCE": "demo", "SECRET_KEY": "demo-jwt"}],
    "JWT_ISSUER": "http://127.0.0.1:8000/oauth2",
    "JWT_AUDIENCE": "demo",
    "JWT_SECRET_KEY": "demo-jwt",
    "JWT_ALGORITHM": "HS256",
    "JWT_AUTH_HEADER_PREFIX": "JWT",
    "JWT_AUTH_COOKIE": "edx-jwt-cookie",
    "JWT_AUTH_COOKIE_HEADER_PAYLOAD": "edx-jwt-cookie-header-payload",
    "JWT_AUTH_COOKIE_SIGNATURE": "edx-jwt-cookie-signature",
}
# The origins of locally built MFEs allowed to call the demo with their cookies (tutor-mfe's
# development ports of the profile and learner-dashboard apps by default), comma-separated.
DISTINGUISHED_DEMO_MFE_ORIGINS = [origin for origin in os.environ.get(
    "DISTINGUISHED_DEMO_MFE_ORIGINS", "http://localhost:1995,http://localhost:1996").split(",") if origin]
REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}

# Badge documents, JWKS and verification pages are addressed from here.
DISTINGUISHED_PUBLIC_BASE_URL = f"http://127.0.0.1:{PORT}"
DISTINGUISHED_ISSUER = {"name": "Open edX (demo)", "url": "https://openedx.org", "email": "", "image": ""}

# Emails (edx-ace's django_email channel) are written to files in demo/emails/ instead of being
# sent (DISTINGUISHED_DEMO_EMAIL=none drops them: the load test), and Celery tasks run in-process
# right after the commit: the demo needs no SMTP server, broker or worker.
if os.environ.get("DISTINGUISHED_DEMO_EMAIL") == "none":
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ.get("DISTINGUISHED_DEMO_EMAIL_DIR", str(HERE / "emails"))
DEFAULT_FROM_EMAIL = "distinguished@example.com"
CELERY_TASK_ALWAYS_EAGER = True

# Each plugin app adds its settings, as the LMS does for its "common" settings type.
add_plugins(__name__, LMS_PROJECT_TYPE, "common")
OPENEDX_TELEMETRY = []  # no New Relic or Datadog in the demo

# edx-ace checks every channel it knows at start-up; the demo uses only django_email, so its
# warnings that Sailthru is not configured are noise here.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {"edx_ace.channel.sailthru": {"level": "ERROR"}},
}
