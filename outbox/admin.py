from django.contrib import admin

from claimtrack.admin import ReadOnlyAdmin

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["task_name", "args", "created_at", "sent_at", "send_attempts", "last_error"]
    list_filter = ["task_name", ("sent_at", admin.EmptyFieldListFilter)]
