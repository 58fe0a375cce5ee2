"""
The log of the program's messages: one row per message sent, so that a message is sent at most once.
"""
from django.conf import settings
from django.db import models


class MessageLog(models.Model):
    """
    A message to one person, written in the same transaction as the change it reports (an outbox)
    and delivered by a Celery task after commit. ``key`` names the message and what it is about
    (e.g. ``nomination_received:42:user:7``); its uniqueness is what keeps reruns and task retries
    from sending anything twice.

    .. pii: The recipient (a user foreign key) and ``context``, the message's personalised values.
    .. pii_types: name, other
    .. pii_retirement: local_api
    """

    key = models.CharField(max_length=200, unique=True)
    message_name = models.CharField(max_length=100, db_index=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                  related_name="distinguished_messages")
    language = models.CharField(max_length=16, blank=True)
    context = models.JSONField(default=dict, blank=True, help_text="The values the message is rendered with.")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="Empty until delivered.")

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return self.key
