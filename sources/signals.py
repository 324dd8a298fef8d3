"""What the sources domain announces. Higher apps subscribe in their AppConfig.ready (sources never
imports them): claims matches every new revision to the tracked claims, and shows a page removed or
moved on the timelines of the claims that cite it."""

from django.dispatch import Signal

# Sent inside the transaction that stored a new DocumentRevision, with `revision_id`. Receivers that
# queue work do it on commit (outbox.services.enqueue_on_commit), so a worker never sees the row
# before it exists and a rolled-back revision queues nothing.
revision_recorded = Signal()

# Sent inside the transaction that stored a DocumentAvailabilityChange (a page removed, moved or
# back), with `change_id`.
availability_changed = Signal()
