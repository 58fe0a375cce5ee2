"""
Django application configuration: how the LMS plugin framework discovers and wires this app.
"""
from django.apps import AppConfig
from edx_django_utils.plugins.constants import PluginSettings, PluginURLs

# The plugin's own events must exist before ready(): an LMS whose EVENT_BUS_PRODUCER_CONFIG names
# them looks them up while apps load.
from openedx_distinguished.signals import signals as _events  # noqa: F401

# The LMS's project type (the platform's ``ProjectType.LMS``; edx-django-utils leaves project and
# settings types to the platform): also the setuptools entry point group that lists this app.
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
        # LMS, of the platform's user-retirement signals. Not through PluginSignals.CONFIG: that
        # wiring exists only inside the LMS, and the receivers must work in the tests and the demo
        # too; the retirement signals, which exist only there, are looked up when present.
        from openedx_distinguished.signals import handlers  # pylint: disable=import-outside-toplevel

        handlers.connect_retirement_receivers()

    plugin_app = {
        PluginURLs.CONFIG: {
            _LMS: {
                PluginURLs.NAMESPACE: "openedx_distinguished",
                PluginURLs.REGEX: r"^",
                PluginURLs.RELATIVE_PATH: "urls",
            },
        },
        PluginSettings.CONFIG: {
            _LMS: {
                # The platform's settings types (``SettingsType``): common, production, test.
                "common": {PluginSettings.RELATIVE_PATH: "settings.common"},
                "production": {PluginSettings.RELATIVE_PATH: "settings.production"},
                "test": {PluginSettings.RELATIVE_PATH: "settings.test"},
            },
        },
    }
