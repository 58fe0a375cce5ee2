"""The stand-in ``student`` app (label as in the LMS)."""
from django.apps import AppConfig


class StudentConfig(AppConfig):
    """``common.djangoapps.student``'s label, so that the plugin finds ``student.UserProfile``."""

    name = "tests.platform.student"
    label = "student"
    default_auto_field = "django.db.models.AutoField"
