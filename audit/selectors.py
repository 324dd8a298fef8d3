"""Reading the audit trail: turning simple-history records into entries with field diffs. Each app
asks for the history of its own models (e.g. claims.selectors.claim_audit_trail)."""

from dataclasses import dataclass
from datetime import datetime

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass
class AuditEntry:
    at: datetime
    object_label: str
    object_id: int
    action: str
    who: str
    channel: str
    changes: list[tuple[str, object, object]]  # (field, from, to)


def field_changes(record, previous) -> list[tuple[str, object, object]]:
    """(field, from, to) for every tracked field that differs. Compared by hand because
    simple-history's diff_against skips non-editable fields, and status is one."""
    changes = []
    for field in previous.tracked_fields:
        old, new = getattr(previous, field.attname), getattr(record, field.attname)
        if field.name != "id" and old != new:
            changes.append((field.name, old, new))
    return changes


def _who(record) -> str:
    if record.history_user_id is not None:
        return record.history_user.get_username() if record.history_user else f"user {record.history_user_id}"
    return record.history_actor or "system"


def history_entries(history_queryset, object_label: str) -> list[AuditEntry]:
    """The records of a history queryset as entries, each with what changed since the object's
    previous record. One query."""
    records = list(history_queryset.select_related("history_user").order_by("id", "history_date", "history_id"))
    entries, previous_by_object = [], {}
    for record in records:
        previous = previous_by_object.get(record.id)
        changes = []
        if previous is not None:
            changes = field_changes(record, previous)
        previous_by_object[record.id] = record
        entries.append(
            AuditEntry(
                at=record.history_date,
                object_label=object_label,
                object_id=record.id,
                action=HISTORY_TYPES.get(record.history_type, record.history_type),
                who=_who(record),
                channel=record.history_channel,
                changes=changes,
            )
        )
    return entries
