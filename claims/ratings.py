"""The newsroom's verdict rating scale (settings.CLAIMTRACK_RATING_SCALE): the one place that reads
it, for the verdict form, the API and the services."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# The default scale's names (claimtrack/settings.py), for the catalogues: a rating is stored and sent
# to partners by its name as configured (ClaimReview's alternateName), and shown translated when the
# interface's catalogue has that name (rating_label). A newsroom's own names are shown as they are.
DEFAULT_RATING_NAMES = [
    gettext_noop("True"),
    gettext_noop("Mostly true"),
    gettext_noop("Mixed"),
    gettext_noop("Mostly false"),
    gettext_noop("False"),
    gettext_noop("Unproven"),
]


def rating_names() -> list[str]:
    """The ratings' names, from best to worst as the scale lists them."""
    return [rating["name"] for rating in settings.CLAIMTRACK_RATING_SCALE["ratings"]]


def rating_for_name(name: str) -> dict:
    """The rating of that name (any case) with the scale's best and worst values; a ValidationError
    on the `rating` field naming the choices otherwise."""
    scale = settings.CLAIMTRACK_RATING_SCALE
    for rating in scale["ratings"]:
        if rating["name"].lower() == (name or "").strip().lower():
            return {**rating, "best": scale["best"], "worst": scale["worst"]}
    names = ", ".join(rating_names())
    raise ValidationError({"rating": _("Unknown rating; choose one of: %(names)s.") % {"names": names}})


def false_rating_names() -> list[str]:
    """The ratings on the false side of the scale (below its middle: "Mostly false", "False"); a
    claim whose current verdict is one of them was rated false (claims.selectors.rated_false)."""
    scale = settings.CLAIMTRACK_RATING_SCALE
    middle = (scale["best"] + scale["worst"]) / 2
    return [rating["name"] for rating in scale["ratings"] if rating["value"] < middle]


def rating_label(name: str) -> str:
    """A rating's name in the interface's language, or as configured when the catalogue has no such
    name."""
    return _(name) if name else name
