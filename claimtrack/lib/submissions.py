"""One-time submission tokens: a form carries one, an API client sends one as Idempotency-Key.

The created row stores submission_key(scope, token) in a unique column, so the same token sent
twice (a double-clicked submit, a client retrying after a timeout) creates one row: the second
insert fails on the unique index, even when both arrive at once, and the caller shows the first
row instead. The scope (who submitted) is part of the key, so one person's token never finds
another person's row. A column on each created model, rather than a shared token table, keeps
the "one winner" rule inside the one INSERT that creates the row."""

import hashlib
import secrets

TOKEN_MAX_LENGTH = 200  # what a form or an Idempotency-Key header may carry


def new_submission_token() -> str:
    return secrets.token_urlsafe(18)


def submission_key(scope: str, token: str | None) -> str | None:
    """The stored key for `token` sent by `scope` (e.g. "user:7"), or None without a token."""
    if not token:
        return None
    return hashlib.sha256(f"{scope}\n{token}".encode()).hexdigest()
