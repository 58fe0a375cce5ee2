"""The stand-in ``user_api`` app (label as in the LMS)."""
from django.apps import AppConfig


class UserApiConfig(AppConfig):
    """``openedx.core.djangoapps.user_api``'s label, so that the plugin finds ``user_api.UserPreference``."""

    name = "tests.platform.user_api"
    label = "user_api"
    default_auto_field = "django.db.models.AutoField"
