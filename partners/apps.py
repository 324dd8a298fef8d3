from django.apps import AppConfig


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"
    verbose_name = "Partners"

    def ready(self):
        from claims import signals as claim_signals

        # Registers the Api-Key scheme with drf-spectacular.
        from claimtrack.api import schema  # noqa: F401

        from . import receivers

        # Every status change, verdict, claim merge and accepted story change is fanned out to the
        # partners' webhooks.
        claim_signals.status_changed.connect(
            receivers.queue_status_change_fan_out, dispatch_uid="partners-status-changed"
        )
        claim_signals.verdict_published.connect(
            receivers.queue_verdict_fan_out, dispatch_uid="partners-verdict-published"
        )
        claim_signals.claim_merged.connect(receivers.queue_claim_merge_fan_out, dispatch_uid="partners-claim-merged")
        claim_signals.appearance_revised.connect(
            receivers.queue_appearance_revised_fan_out, dispatch_uid="partners-appearance-revised"
        )
