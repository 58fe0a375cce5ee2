"""
``UserProfile`` as the LMS has it (the fields the plugin reads): the full name lives here, not in
``User.first_name``/``last_name``, which the LMS's registration leaves empty.
"""
from django.conf import settings
from django.db import models


class UserProfile(models.Model):
    """
    A learner's profile.

    .. pii: The learner's full name (a stand-in of the platform's table, in tests only).
    .. pii_types: name
    .. pii_retirement: third_party
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, unique=True, db_index=True, related_name="profile",
                                on_delete=models.CASCADE)
    name = models.CharField(blank=True, max_length=255, db_index=True)

    class Meta:
        db_table = "auth_userprofile"
