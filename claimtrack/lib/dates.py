"""The range of times claimtrack accepts as "when something was seen or published".

Earliest: 1900-01-01 UTC. A news archive records when a claim or a document appeared in the media;
nothing claimtrack tracks appeared before 1900, and every date since then is stored and read back
the same by SQLite, PostgreSQL and psycopg, and shown in any newsroom time zone. (Year 1 in a time
zone east of UTC, e.g. local mean time +02:57 in Baghdad, is a BC time in UTC: PostgreSQL stores
it and psycopg cannot read it back.)

Latest: now plus one day. Nothing was seen in the future; the day covers clocks that are a little
off and a time typed in another time zone. (A time in the last hours of 9999-12-31 UTC also
overflows when shown east of UTC.)

Framework-free: the Django form, API and model helpers are in claimtrack/validators.py.
"""

from datetime import UTC, date, datetime, timedelta

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
EARLIEST_DAY = EARLIEST.date()
FUTURE_TOLERANCE = timedelta(days=1)


def latest(now: datetime | None = None) -> datetime:
    """The latest time accepted as seen or published, now."""
    return (now or datetime.now(UTC)) + FUTURE_TOLERANCE


def _aware(moment: datetime) -> datetime:
    # A naive time is taken as UTC for the check: the range is a day wider than any offset.
    return moment if moment.tzinfo is not None and moment.utcoffset() is not None else moment.replace(tzinfo=UTC)


def in_range(moment: datetime, *, now: datetime | None = None) -> bool:
    """Whether a seen or published time lies in the accepted range. Compares without converting
    the time, so an extreme one never overflows here."""
    moment = _aware(moment)
    return EARLIEST <= moment <= latest(now)


def day_in_range(day: date, *, now: datetime | None = None) -> bool:
    """Whether a calendar day (a filter's "from" or "until") lies in the accepted range."""
    return EARLIEST_DAY <= day <= latest(now).date()


def in_range_or_none(moment: datetime | None, *, now: datetime | None = None) -> datetime | None:
    """The time if it lies in the range, else None: for dates read from other people's data (feeds,
    article metadata), where a wrong date is dropped rather than the item refused."""
    if moment is None or not in_range(moment, now=now):
        return None
    return moment


def range_description(now: datetime | None = None) -> str:
    """The range in words for error messages, e.g. "between 1900-01-01 and 2026-12-03"."""
    return f"between {EARLIEST_DAY.isoformat()} and {latest(now).date().isoformat()}"
