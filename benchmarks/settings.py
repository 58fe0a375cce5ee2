"""
Django settings of the benchmarks: the test settings, on SQLite, with the floors' URLs added.

The runner uses an in-memory test database; the annual-evaluation workers (one fresh process per
run, so that their peak RSS is their own) open the SQLite file named by
``DISTINGUISHED_BENCH_SQLITE`` instead.
"""
import os

from test_settings import *  # noqa: F401,F403  pylint: disable=wildcard-import,unused-wildcard-import

ROOT_URLCONF = "benchmarks.urls"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DISTINGUISHED_BENCH_SQLITE", ":memory:"),
        "TEST": {"NAME": ":memory:"},
    },
}

# Whatever the code under measurement sends stays in memory.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# The measured requests are anonymous and succeed; nothing should log per request.
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
