"""What claims announces to the apps above it (partners' webhooks subscribe in their AppConfig).

Sent by claims.services inside the transaction that wrote the row, with the row's id; a receiver
that queues work does it with outbox.services.enqueue_on_commit, so nothing is sent for a write
that is rolled back."""

from django.dispatch import Signal

# status_change_id: the StatusChange just written.
status_changed = Signal()
# verdict_id: the Verdict just published.
verdict_published = Signal()
# claim_merge_id: the ClaimMerge just written (a duplicate claim absorbed into another).
claim_merged = Signal()
# appearance_id: an accepted story change (origin revision) that superseded an earlier appearance.
appearance_revised = Signal()
