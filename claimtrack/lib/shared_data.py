"""Where the public data sets (FNC-1, Emergent, feeds, pages) are kept: beside the checkout, never in it.
Used by train_stance and split_stance_data, the benchmarks and the tests."""

import os
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
FALLBACK = Path("/work/shared/data")


def shared_data_dir() -> Path:
    """CLAIMTRACK_SHARED_DATA when set; else ../shared/data beside the checkout when it exists; else
    /work/shared/data. The folder may not exist: callers check for the files they need."""
    configured = os.environ.get("CLAIMTRACK_SHARED_DATA")
    if configured:
        return Path(configured)
    beside = (CHECKOUT / "../shared/data").resolve()
    return beside if beside.is_dir() else FALLBACK
