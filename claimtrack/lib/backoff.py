"""How long to wait before trying again, for everything that retries (feed polls, article
fetches, webhook deliveries)."""

import random


def backoff_seconds(
    attempt: int, *, base: float, cap: float | None = None, jitter: float = 0.5, rng: random.Random | None = None
) -> float:
    """Capped exponential backoff with jitter, in seconds.

    The nominal wait is `base × 2^attempt` (attempt 0 waits `base`), at most `cap`. The result is
    that nominal wait scaled by a random factor between `1 - jitter` and 1, so it never exceeds
    the nominal wait (nor the cap), and many failures that happened together do not all come back
    at the same moment. `jitter=0.5` ("equal jitter") waits between half and all of it; a small
    jitter (0.1) keeps a regular schedule nearly regular.

    `rng` is a `random.Random` (tests pass a seeded one); the module's shared generator otherwise.
    """
    if attempt < 0 or base < 0 or not 0 <= jitter <= 1:
        raise ValueError("attempt and base must not be negative, and jitter is between 0 and 1")
    # 2^64 × base is beyond any cap; a larger exponent would only risk an OverflowError.
    nominal = base * 2 ** min(attempt, 64)
    if cap is not None:
        nominal = min(nominal, cap)
    return nominal * (rng or random).uniform(1 - jitter, 1)
