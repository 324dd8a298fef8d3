"""Django's database sessions, refusing session cookies Django never issues.

Django's keys are 32 lower-case letters and digits; any other cookie value (e.g. one with a NUL
byte, which PostgreSQL refuses in a query with an error) is treated as no session instead of
being looked up. Found by schemathesis sending odd cookies to the API. The session middleware
can leave a session unrenewed (SessionMiddleware below).
"""

import string

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.utils.cache import patch_vary_headers

SESSION_KEY_CHARACTERS = frozenset(string.ascii_lowercase + string.digits)


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        return super()._validate_session_key(key) and set(key) <= SESSION_KEY_CHARACTERS


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except that a response marked `renews_session = False` leaves an unmodified session
    as it was: with SESSION_SAVE_EVERY_REQUEST every request pushes the idle timeout back and writes
    the session row, which a page polling in the background (the live claim page, every few
    seconds) must not do: it would keep an abandoned browser signed in for ever, and write once a
    poll."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if getattr(response, "renews_session", True) is False and session is not None and not session.modified:
            if session.accessed:
                patch_vary_headers(response, ("Cookie",))
            return response
        return super().process_response(request, response)
