"""The public test data kept next to the checkout (../shared/data), never copied into the repo."""

from pathlib import Path

from claimtrack.lib import shared_data as locations
from tests.services import unavailable


def shared_data_dir() -> Path:
    """The shared data folder (claimtrack.lib.shared_data); skips (or fails under
    CLAIMTRACK_REQUIRE_SERVICES=1) when it does not exist."""
    path = locations.shared_data_dir()
    if not path.is_dir():
        unavailable(f"the shared test data ({path}) is not available")
    return path.resolve()


def shared_data(*parts) -> Path:
    path = shared_data_dir().joinpath(*parts)
    if not path.exists():
        unavailable(f"shared test data {path} is missing")
    return path
