"""`manage.py train_stance` (a claims command: it can add this installation's reviews) is
deterministic and writes no pickle."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command


def write_tiny_training_data(folder: Path):
    """A few dozen pairs in the shape of FNC-1 and Emergent, enough for train_stance to run."""
    (folder / "fnc1").mkdir(parents=True)
    (folder / "emergent").mkdir()
    topics = ["flood in Gaza", "spider in a stomach", "police in Kirkuk", "goal in Erbil", "a burger kept for years"]
    with open(folder / "fnc1" / "train_bodies.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Body ID", "articleBody"])
        for i, topic in enumerate(topics):
            writer.writerow([i, f"Reports about the {topic} spread. Officials said the {topic} story is fake. " * 3])
    with open(folder / "fnc1" / "train_stances.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Headline", "Body ID", "Stance"])
        for i, topic in enumerate(topics):
            for j in range(len(topics)):
                for variant, stance in enumerate(["agree", "disagree", "discuss"]):
                    headline = f"Story number {variant} on the {topic}"
                    writer.writerow([headline, j, stance if i == j else "unrelated"])
    with open(folder / "emergent" / "url-versions-2015-06-14-clean-train.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["", "claimHeadline", "articleHeadline", "articleHeadlineStance", "articleId", "claimId"])
        for i, topic in enumerate(topics * 4):
            stance = ["for", "against", "observing"][i % 3]
            writer.writerow([i, f"There was a {topic}", f"Report: {topic} {stance}", stance, f"a{i}", f"c{i % 5}"])


@pytest.mark.django_db
def test_train_stance_is_deterministic_and_writes_no_pickle(tmp_path):
    write_tiny_training_data(tmp_path / "data")
    for run in ("first", "second"):
        call_command(
            "train_stance",
            "--data",
            str(tmp_path / "data"),
            "--output",
            str(tmp_path / run),
            "--include-reviews",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )

    first, second = (sorted(p.name for p in (tmp_path / run).iterdir()) for run in ("first", "second"))
    assert first == second == ["meta.json", "related.txt", "stance_long.txt", "stance_short.txt", "vectors.npz"]
    for name in first:
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes(), name
    import numpy as np

    with np.load(tmp_path / "first" / "vectors.npz", allow_pickle=False) as arrays:
        assert {"vocabulary", "idf", "topic_basis", "lead_vocabulary"} <= set(arrays.files)
