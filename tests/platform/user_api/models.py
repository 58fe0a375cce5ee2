"""``UserPreference`` as the LMS has it: a key and a value per user (``account_privacy`` among them)."""
from django.conf import settings
from django.db import models


class UserPreference(models.Model):
    """
    One preference of a learner.

    .. pii: Preferences may say things about the learner (a stand-in of the platform's table, in tests only).
    .. pii_types: other
    .. pii_retirement: third_party
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, db_index=True, related_name="preferences",
                             on_delete=models.CASCADE)
    key = models.CharField(max_length=255, db_index=True)
    value = models.TextField()

    class Meta:
        unique_together = ("user", "key")
