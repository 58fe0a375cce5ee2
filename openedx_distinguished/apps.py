"""
Django application configuration: how the LMS plugin framework discovers and wires this app.
"""
from django.apps import AppConfig

# The plugin's own events must exist before ready(): an LMS whose EVENT_BUS_PRODUCER_CONFIG names
# them looks them up while apps load.
from openedx_distinguished.signals import signals as _events  # noqa: F401

# Plugin-framework keys, spelled as edx_django_utils.plugins reads them. The LMS project type
# ("lms.djangoapp") is also the setuptools entry point group that lists this app.
_LMS = "lms.djangoapp"


class DistinguishedConfig(AppConfig):
    """
    The Distinguished Contributor program app.

    ``plugin_app`` is read by ``edx_django_utils.plugins``: the LMS adds our URL patterns at its
    root (the module itself mounts ``api/distinguished/`` and ``distinguished/``) and calls
    ``plugin_settings`` of the settings module that matches its own settings type.
    """

    name = "openedx_distinguished"
    label = "openedx_distinguished"
    verbose_name = "Distinguished Contributor program"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Connect the receivers of Open edX events (COURSE_ENROLLMENT_CREATED, …) and, inside the
        # LMS, of the platform's user-retirement signals.
        from openedx_distinguished.signals import handlers  # pylint: disable=import-outside-toplevel

        handlers.connect_retirement_receivers()

    plugin_app = {
        "url_config": {
            _LMS: {
                "namespace": "openedx_distinguished",
                "regex": r"^",
                "relative_path": "urls",
            },
        },
        "settings_config": {
            _LMS: {
                "common": {"relative_path": "settings.common"},
                "production": {"relative_path": "settings.production"},
                "test": {"relative_path": "settings.test"},
            },
        },
    }
