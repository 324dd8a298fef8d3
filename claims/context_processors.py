"""Template context every page gets from the claims domain."""

import functools

from . import selectors


def notifications(request) -> dict:
    """The unread notifications count in the header: for signed-in newsroom users only, read (one
    query) when the page draws it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm("claims.view_claim"):
        return {}
    return {"unread_notification_count": functools.cache(functools.partial(selectors.unread_notification_count, user))}
