"""The public test data kept next to the checkout (../shared/data), never copied into the repo."""

import os
from pathlib import Path

from tests.services import unavailable

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """CLAIMTRACK_SHARED_DATA, else <repo>/../shared/data, else /work/shared/data; skips (or fails
    under CLAIMTRACK_REQUIRE_SERVICES=1) when none exists."""
    candidates = [os.environ.get("CLAIMTRACK_SHARED_DATA"), REPO / "../shared/data", "/work/shared/data"]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate).resolve()
    unavailable("the shared test data (../shared/data) is not available")


def shared_data(*parts) -> Path:
    path = shared_data_dir().joinpath(*parts)
    if not path.exists():
        unavailable(f"shared test data {path} is missing")
    return path
