"""`manage.py evaluate_stance` runs the product's classifier on FNC-1-format files and scores it as
FNC-1 does; `train_stance` is deterministic."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from claims.stance import load_model
from claims.stance_training import fnc_score, macro_f1
from tests.services import require_stance_model

FIXTURES = Path(__file__).parent / "fixtures"


def test_fnc_score_follows_the_competitions_weights():
    gold = ["unrelated", "agree", "agree", "discuss", "disagree"]
    predicted = ["unrelated", "agree", "discuss", "unrelated", "agree"]
    # unrelated right: 0.25; agree right: 0.25 + 0.50 + 0.25 (both related) = 1.0; agree → discuss and
    # disagree → agree: related either way, 0.25 each; discuss → unrelated: 0. Maximum 0.25 + 4 × 1.
    assert fnc_score(gold, predicted) == (0.25 + 1.0 + 0.25 + 0 + 0.25, 4.25)


def test_macro_f1_averages_the_classes_f1():
    gold = ["a", "a", "b", "b"]
    predicted = ["a", "b", "b", "b"]
    # a: precision 1, recall 1/2 → F1 2/3; b: precision 2/3, recall 1 → F1 4/5.
    assert macro_f1(gold, predicted, ["a", "b"]) == pytest.approx((2 / 3 + 4 / 5) / 2)


def evaluate(*arguments):
    out, err = io.StringIO(), io.StringIO()
    call_command("evaluate_stance", *arguments, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_evaluation_of_a_small_fixture_gives_the_score_computed_by_hand(tmp_path):
    require_stance_model()
    predictions = tmp_path / "predictions.csv"

    output, progress = evaluate(
        "--stances",
        str(FIXTURES / "fnc_small_stances.csv"),
        "--bodies",
        str(FIXTURES / "fnc_small_bodies.csv"),
        "--predictions",
        str(predictions),
    )

    with open(predictions, newline="") as f:
        rows = list(csv.reader(f))
    # The classifier gets the two clear cases right; the fixture's gold labels are wrong on purpose
    # for the football headline, so that every weight of the score is exercised.
    assert rows == [
        ["Headline", "Body ID", "Stance"],
        ["Iraq's federal police withdrew from Kirkuk", "1", "disagree"],
        ["Iraq's federal police withdrew from Kirkuk", "2", "unrelated"],
        ["Erbil SC beat Zakho with a late penalty", "2", "agree"],
        ["Erbil SC beat Zakho with a late penalty", "1", "unrelated"],
    ]
    # disagree right: 1.0; unrelated right: 0.25; disagree → agree, both related: 0.25; discuss →
    # unrelated: 0. Maximum 1 + 0.25 + 1 + 1 = 3.25. 1.5 / 3.25 = 46.15%.
    assert "FNC score: 46.15% (1.5 of 3.25)" in output
    assert "Accuracy: 50.00%" in output
    assert "pairs/second" in output
    assert "4/4" in progress


def test_assume_related_answers_only_related_labels(tmp_path):
    predictions = tmp_path / "predictions.csv"

    evaluate(
        "--stances",
        str(FIXTURES / "fnc_small_stances.csv"),
        "--bodies",
        str(FIXTURES / "fnc_small_bodies.csv"),
        "--predictions",
        str(predictions),
        "--assume-related",
    )

    with open(predictions, newline="") as f:
        stances = [row["Stance"] for row in csv.DictReader(f)]
    assert len(stances) == 4
    assert set(stances) <= {"agree", "disagree", "discuss"}


def test_evaluation_refuses_files_in_another_format(tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("title,id\nsomething,1\n")

    with pytest.raises(CommandError, match="Headline, Body ID"):
        evaluate("--stances", str(wrong), "--bodies", str(FIXTURES / "fnc_small_bodies.csv"))


def test_evaluation_names_body_ids_missing_from_the_bodies_file(tmp_path):
    stances = tmp_path / "stances.csv"
    stances.write_text("Headline,Body ID,Stance\nA headline,99,unrelated\n")

    with pytest.raises(CommandError, match="99"):
        evaluate("--stances", str(stances), "--bodies", str(FIXTURES / "fnc_small_bodies.csv"))


def test_evaluation_without_a_model_says_how_to_make_one(settings, tmp_path):
    settings.CLAIMTRACK_STANCE_MODEL_DIR = tmp_path

    with pytest.raises(CommandError, match="train_stance"):
        evaluate(
            "--stances", str(FIXTURES / "fnc_small_stances.csv"), "--bodies", str(FIXTURES / "fnc_small_bodies.csv")
        )


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


def test_a_model_from_another_version_is_refused_with_a_reason(settings, tmp_path):
    import json
    import shutil

    shutil.copytree(settings.CLAIMTRACK_STANCE_MODEL_DIR, tmp_path / "model")
    meta = json.loads((tmp_path / "model" / "meta.json").read_text())
    (tmp_path / "model" / "meta.json").write_text(json.dumps({**meta, "format": 999}))
    settings.CLAIMTRACK_STANCE_MODEL_DIR = tmp_path / "model"

    assert load_model() is None  # the product carries on, suggesting without stance
    with pytest.raises(CommandError, match="another version"):
        evaluate(
            "--stances", str(FIXTURES / "fnc_small_stances.csv"), "--bodies", str(FIXTURES / "fnc_small_bodies.csv")
        )
