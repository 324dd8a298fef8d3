"""The one backoff formula every retry uses (claimtrack/lib/backoff.py)."""

import random

import pytest

from claimtrack.lib.backoff import backoff_seconds


def test_nominal_wait_doubles_per_attempt_up_to_the_cap():
    no_jitter = {attempt: backoff_seconds(attempt, base=30, cap=900, jitter=0) for attempt in range(8)}
    assert no_jitter == {0: 30, 1: 60, 2: 120, 3: 240, 4: 480, 5: 900, 6: 900, 7: 900}


def test_equal_jitter_waits_between_half_and_all_of_the_nominal_wait():
    rng = random.Random(12)
    for attempt, nominal in [(0, 30), (2, 120), (10, 900)]:
        waits = [backoff_seconds(attempt, base=30, cap=900, rng=rng) for _ in range(200)]
        assert all(nominal / 2 <= wait <= nominal for wait in waits), (attempt, min(waits), max(waits))
        assert max(waits) - min(waits) > nominal / 4  # spread over the range, not one value


def test_a_small_jitter_keeps_a_schedule_nearly_regular():
    rng = random.Random(3)
    waits = [backoff_seconds(0, base=600, jitter=0.1, rng=rng) for _ in range(200)]
    assert all(540 <= wait <= 600 for wait in waits)
    assert len(set(waits)) > 1


def test_a_seeded_generator_gives_the_same_waits():
    first = [backoff_seconds(n, base=1, cap=100, rng=random.Random(7)) for n in range(10)]
    again = [backoff_seconds(n, base=1, cap=100, rng=random.Random(7)) for n in range(10)]
    assert first == again


def test_without_a_cap_the_wait_keeps_growing_and_a_huge_attempt_does_not_overflow():
    assert backoff_seconds(20, base=1, jitter=0) == 2**20
    assert backoff_seconds(10_000, base=1, cap=3600, jitter=0) == 3600


@pytest.mark.parametrize("attempt, base, jitter", [(-1, 1, 0.5), (0, -1, 0.5), (0, 1, 1.5), (0, 1, -0.1)])
def test_nonsense_arguments_are_refused(attempt, base, jitter):
    with pytest.raises(ValueError):
        backoff_seconds(attempt, base=base, jitter=jitter)
