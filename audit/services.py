"""Writes that the audit trail records."""

from simple_history.utils import bulk_update_with_history

from .context import current_actor


def update_recorded(model, pks, *, values: dict, user) -> None:
    """Set `values` on the `model` rows of `pks` (a merge moving rows to another parent) with one
    historical record per row, stamped like any other write (receivers.stamp_historical_record
    does not run for bulk history), attributed to `user`."""
    rows = list(model.objects.filter(pk__in=pks).order_by("pk"))
    for row in rows:
        for field, value in values.items():
            setattr(row, field, value)
    actor = current_actor()
    bulk_update_with_history(
        rows,
        model,
        list(values),
        batch_size=500,
        default_user=user,
        custom_historical_attrs={"history_channel": actor.channel, "history_actor": actor.label},
    )
