"""The newsroom's verdict rating scale (settings.CLAIMTRACK_RATING_SCALE): the one place that reads
it, for the verdict form, the API and the services."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


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
