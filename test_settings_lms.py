"""
The test suite's settings as the LMS would give them (the ``lms`` tox environment): the platform's
profile and preference tables (stand-ins in tests/platform), the LMS's REST framework settings
(no ``DEFAULT_SCHEMA_CLASS``, JSON only, its pagination), eager Celery, a private default
visibility left to each test.
"""
# pylint: disable=wildcard-import,unused-wildcard-import
from test_settings import *  # noqa: F401,F403

INSTALLED_APPS = INSTALLED_APPS + ["tests.platform.student", "tests.platform.user_api"]  # noqa: F405

# What edx-platform's lms/envs/common.py sets: no schema class (drf-spectacular is not the LMS's).
REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "edx_rest_framework_extensions.paginators.DefaultPagination",
    "DEFAULT_RENDERER_CLASSES": ("rest_framework.renderers.JSONRenderer",),
    "PAGE_SIZE": 10,
    "URL_FORMAT_OVERRIDE": None,
}

# Devstack runs Celery tasks in the web process.
CELERY_TASK_ALWAYS_EAGER = True

# The LMS's default: profiles are visible to every signed-in user unless their owner says private.
ACCOUNT_VISIBILITY_CONFIGURATION = {"default_visibility": "all_users"}
