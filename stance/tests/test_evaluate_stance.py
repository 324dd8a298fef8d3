"""`manage.py evaluate_stance` runs the product's classifier on FNC-1-format files and scores it as
FNC-1 does."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from stance.classifier import load_model
from stance.training import fnc_score, macro_f1
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
