"""Django's database sessions, refusing session cookies Django never issues.

Django's keys are 32 lower-case letters and digits; any other cookie value (e.g. one with a NUL
byte, which PostgreSQL refuses in a query with an error) is treated as no session instead of
being looked up. Found by schemathesis sending odd cookies to the API.
"""

import string

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

SESSION_KEY_CHARACTERS = frozenset(string.ascii_lowercase + string.digits)


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        return super()._validate_session_key(key) and set(key) <= SESSION_KEY_CHARACTERS
