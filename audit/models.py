from django.db import models

from .context import Channel


class AuditFields(models.Model):
    """Added to every historical record (django-simple-history `bases`): the channel and, when the
    actor is not a user, what it was (a partner key, a worker task)."""

    history_channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.SYSTEM)
    history_actor = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True
