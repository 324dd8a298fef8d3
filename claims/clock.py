"""The claim's clock as people read it: the five moments kept on the claim row (models.CLOCK_FIELDS,
written by services._recompute_clocks) and the two durations, human-readable ("3 h 20 min").
Read from the row alone: no query, whatever the number of appearances."""

from datetime import timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Claim

# (field, label) in the order the page and the API give them.
CLOCK_MOMENTS = (
    ("first_appearance_at", gettext_lazy("First appearance")),
    ("first_denial_at", gettext_lazy("First denial")),
    ("first_official_at", gettext_lazy("First official statement")),
    ("first_status_change_at", gettext_lazy("First status change")),
    ("first_verdict_at", gettext_lazy("First verdict")),
)


def human_duration(duration: timedelta | None) -> str:
    """ "3 h 20 min", "2 d 4 h", "45 min", "under a minute"; "" for None. A negative duration (a
    denial dated before the first appearance cannot be: the denial is an appearance) reads as 0."""
    if duration is None:
        return ""
    minutes = max(int(duration.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return (
            _("%(days)d d %(hours)d h") % {"days": days, "hours": hours} if hours else _("%(days)d d") % {"days": days}
        )
    if hours:
        return (
            _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
            if minutes
            else _("%(hours)d h") % {"hours": hours}
        )
    if minutes:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("under a minute")


def seconds(duration: timedelta | None) -> int | None:
    return None if duration is None else int(duration.total_seconds())


def claim_clock(claim: Claim) -> dict:
    """The clock of a claim row: its moments (None when not yet) and the two durations, as
    timedeltas and in seconds."""
    return {
        "moments": [(field, label, getattr(claim, field)) for field, label in CLOCK_MOMENTS],
        "time_to_first_denial": claim.time_to_first_denial,
        "time_to_verdict": claim.time_to_verdict,
    }
