"""A transactional outbox for Celery tasks.

A task is written here in the same transaction as the data it is about, then sent to the broker
after commit. If the broker is down the row stays unsent and beat's sweep sends it once the broker
is back: no queued work is lost, and the request that wrote the data does not fail.
"""

from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="outbox_unsent_idx"),
        ]

    def __str__(self):
        return f"{self.task_name}{tuple(self.args)}"
