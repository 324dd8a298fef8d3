"""Arabic pairs: ANS (Arabic News Stance) as training and evaluation data, its held-apart split, and
the Arabic model the classifier routes Arabic-script pairs to."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from stance.classifier import ARABIC_LABELS, is_arabic_text
from stance.reading import read_document
from stance.training import (
    AnsPair,
    ans_as_fnc,
    arabic_training_pairs,
    load_arabic_datasets,
    read_ans,
    split_ans,
    synthetic_unrelated_pairs,
)
from tests.services import require_stance_model
from tests.shared_data import shared_data

FIXTURES = Path(__file__).parent / "fixtures"


def evaluate(*arguments):
    out, err = io.StringIO(), io.StringIO()
    call_command("evaluate_stance", *arguments, stdout=out, stderr=err)
    return out.getvalue()


def test_ans_rows_are_read_with_claimtracks_labels():
    pairs = read_ans(FIXTURES / "ans_small.csv")

    assert [p.label for p in pairs] == ["denies", "denies", "asserts", "unrelated"]
    assert pairs[0] == AnsPair(
        "الشرطة الاتحادية تنسحب من كركوك", "وزارة الدفاع تنفي انسحاب الشرطة الاتحادية من كركوك", "denies"
    )


def test_an_ans_file_with_an_unknown_stance_is_refused_with_its_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("s1,s2,stance\nعنوان,عنوان آخر,agree\nعنوان,عنوان ثالث,discuss\n", encoding="utf-8")

    with pytest.raises(ValueError, match="line 3: unknown stance 'discuss'"):
        read_ans(bad)


def test_the_rewrites_of_one_headline_go_to_the_same_part():
    pairs = [AnsPair(f"عنوان رقم {n}", f"إعادة صياغة {k}", "asserts") for n in range(200) for k in range(3)]

    train, held = split_ans(pairs)

    assert {p.claim for p in train}.isdisjoint({p.claim for p in held})
    assert len(train) + len(held) == len(pairs)
    assert 0.1 < len(held) / len(pairs) < 0.3
    assert split_ans(list(reversed(pairs)))[1] == list(reversed(held))


def test_the_ans_split_is_deterministic_and_disjoint_by_headline():
    data = shared_data("arabic-ans").parent

    first, again = load_arabic_datasets(data), load_arabic_datasets(data)

    assert first == again
    held_headlines = {p.claim for p in first.held_apart}
    assert held_headlines.isdisjoint({p.claim for p in first.train})
    assert held_headlines.isdisjoint({p.claim for p in first.dev})
    assert len(first.train) + len(first.held_apart) == 2652
    assert 450 < len(first.held_apart) < 620
    assert {p.label for p in first.held_apart} == set(ARABIC_LABELS)
    # train_stance learns from the training part and dev, never from the held-apart part.
    learned = arabic_training_pairs(first, all_data=False)
    assert held_headlines.isdisjoint({p.claim for p in learned})
    assert len(arabic_training_pairs(first, all_data=True)) == len(learned) + len(first.held_apart)


def test_split_stance_data_writes_the_arabic_held_apart_part_in_fnc_format(tmp_path):
    data = shared_data("arabic-ans").parent
    shared_data("fnc1", "train_stances.csv")

    call_command("split_stance_data", "--data", str(data), "--out", str(tmp_path), stdout=io.StringIO())

    with open(tmp_path / "ans_held_apart_stances.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open(tmp_path / "ans_bodies.csv", newline="", encoding="utf-8") as f:
        bodies = {row["Body ID"]: row["articleBody"] for row in csv.DictReader(f)}
    held = load_arabic_datasets(data).held_apart
    assert [(r["Headline"], bodies[r["Body ID"]]) for r in rows] == [(p.claim, p.document) for p in held]
    assert {r["Stance"] for r in rows} == {"agree", "disagree", "unrelated"}


def test_ans_pairs_become_fnc_pairs_with_one_body_per_rewrite():
    pairs, bodies = ans_as_fnc(read_ans(FIXTURES / "ans_small.csv"))

    assert [p.stance for p in pairs] == ["disagree", "disagree", "agree", "unrelated"]
    assert [bodies[p.body_id] for p in pairs][2] == "أسعار النفط ترتفع عقب قرار أوبك خفض الإنتاج"
    assert len(bodies) == 4


def test_arabic_script_is_told_by_the_share_of_letters():
    assert is_arabic_text("الشرطة الاتحادية تنسحب من كركوك")
    assert is_arabic_text("شركة Apple تطلق هاتفا جديدا في بغداد")
    assert not is_arabic_text("Federal police withdrew from Kirkuk (كركوك)")
    assert not is_arabic_text("2026 — 3/12")


def test_evaluate_stance_scores_an_arabic_file_in_fnc_format(tmp_path):
    require_stance_model()
    predictions = tmp_path / "predictions.csv"

    output = evaluate(
        "--stances",
        str(FIXTURES / "ans_small_stances.csv"),
        "--bodies",
        str(FIXTURES / "ans_small_bodies.csv"),
        "--predictions",
        str(predictions),
    )

    with open(predictions, newline="", encoding="utf-8") as f:
        assert [row["Stance"] for row in csv.DictReader(f)] == ["disagree", "unrelated", "agree"]
    assert "Accuracy: 100.00%" in output
    assert "Macro-F1: 1.0000 (over unrelated, agree, disagree)" in output


def test_evaluate_stance_reads_an_ans_file_directly(tmp_path):
    require_stance_model()
    predictions = tmp_path / "predictions.csv"

    output = evaluate("--stances", str(FIXTURES / "ans_small.csv"), "--predictions", str(predictions))

    with open(predictions, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [row["stance"] for row in rows] == ["disagree", "disagree", "agree", "other"]
    assert rows[0]["s2"] == "وزارة الدفاع تنفي انسحاب الشرطة الاتحادية من كركوك"
    assert "Macro-F1: 1.0000 (over unrelated, agree, disagree)" in output
    assert "F1 per class: unrelated 1.0000, agree 1.0000, disagree 1.0000" in output


def test_evaluate_stance_refuses_an_ans_file_with_a_bad_stance(tmp_path):
    require_stance_model()
    bad = tmp_path / "bad.csv"
    bad.write_text("s1,s2,stance\nعنوان,عنوان آخر,maybe\n", encoding="utf-8")

    with pytest.raises(CommandError, match="line 2: unknown stance 'maybe'"):
        evaluate("--stances", str(bad))


def test_evaluate_stance_names_both_formats_for_a_file_in_neither(tmp_path):
    require_stance_model()
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("title,text\nعنوان,نص\n", encoding="utf-8")

    with pytest.raises(CommandError, match="Headline, Body ID, Stance .*s1, s2, stance"):
        evaluate("--stances", str(wrong))


def test_evaluate_stance_asks_for_the_bodies_of_an_fnc_file():
    require_stance_model()

    with pytest.raises(CommandError, match="--bodies"):
        evaluate("--stances", str(FIXTURES / "ans_small_stances.csv"))


CLAIMS = {
    3: "الشرطة الاتحادية تنسحب من كركوك",
    5: "ارتفاع أسعار النفط بعد قرار أوبك خفض الإنتاج",
    8: "نادي أربيل يتعاقد مع مهاجم جديد من زاخو",
}


def test_arabic_denial_headline_is_classified_as_denies():
    require_stance_model()
    reading = read_document(title="وزارة الدفاع تنفي انسحاب الشرطة الاتحادية من كركوك", text="")

    stances = reading.stances_towards(CLAIMS)

    assert list(stances) == [3]
    assert stances[3].label == "denies"
    assert stances[3].evidence == "وزارة الدفاع تنفي انسحاب الشرطة الاتحادية من كركوك"


def test_arabic_headline_saying_the_same_is_classified_as_asserts():
    require_stance_model()
    reading = read_document(title="", text="أسعار النفط ترتفع عقب قرار أوبك خفض الإنتاج")

    stances = reading.stances_towards(CLAIMS)

    assert list(stances) == [5]
    assert stances[5].label == "asserts"
    assert 0.5 < stances[5].confidence <= 1


def test_arabic_article_is_read_by_the_sentence_that_speaks_to_the_claim():
    require_stance_model()
    text = (
        "قالت مصادر أمنية في المدينة إن الوضع هادئ منذ صباح اليوم وإن الأسواق فتحت أبوابها كالمعتاد. "
        "ونفت وزارة الدفاع العراقية يوم السبت الأنباء عن انسحاب الشرطة الاتحادية من كركوك. "
        "وأضاف البيان أن قوات الأمن لم تغادر مواقعها في المدينة وأن ما نشر على مواقع التواصل مفبرك. "
        "ويأتي ذلك بعد أيام من التوتر بين بغداد وأربيل بشأن إدارة المناطق المتنازع عليها في شمال البلاد."
    )
    reading = read_document(title="بغداد: لا انسحاب من كركوك", text=text)

    stances = reading.stances_towards(CLAIMS)

    assert list(stances) == [3]
    assert stances[3].label == "denies"
    assert "انسحاب الشرطة الاتحادية من كركوك" in stances[3].evidence


def test_synthetic_unrelated_pairs_pair_a_headline_only_with_other_headlines_rewrites():
    pairs = read_ans(FIXTURES / "ans_small.csv") + [
        AnsPair("الذهب يرتفع لأعلى مستوى منذ شهرين", "الذهب عند أعلى مستوى منذ شهرين", "asserts"),
        AnsPair("مقتل ثلاثة في اشتباكات قرب كركوك", "اشتباكات قرب كركوك تخلف ثلاثة قتلى", "asserts"),
    ]

    made = synthetic_unrelated_pairs(pairs, random_per_headline=1, hard_per_headline=1)

    own = {(p.claim, p.document) for p in pairs}
    assert made and all(p.label == "unrelated" and (p.claim, p.document) not in own for p in made)
    assert {p.document for p in made} <= {p.document for p in pairs}
    rewrites_of = {p.claim: {q.document for q in pairs if q.claim == p.claim} for p in pairs}
    assert all(p.document not in rewrites_of[p.claim] for p in made)
    assert synthetic_unrelated_pairs(pairs, random_per_headline=1, hard_per_headline=1) == made


def test_arabic_pair_features_see_opposites_and_numbers_among_the_words_that_differ():
    from stance.classifier import ARABIC_DENSE_FEATURES, arabic_pair_terms, read_arabic

    def dense(claim, document):
        return dict(
            zip(ARABIC_DENSE_FEATURES, arabic_pair_terms(read_arabic(claim), read_arabic(document))[1], strict=True)
        )

    swapped = dense("ارتفاع أسعار النفط بعد قرار أوبك", "انخفاض أسعار النفط بعد قرار أوبك")
    assert swapped["antonym_swapped"] == 1 and swapped["antonym_in_document_only"] == 1
    paraphrase = dense("ارتفاع أسعار النفط بعد قرار أوبك", "أسعار النفط ترتفع عقب قرار أوبك")
    assert paraphrase["antonym_swapped"] == 0
    assert paraphrase["differing_words_trigram_jaccard"] > 0
    number = dense("مقتل ثلاثة في اشتباكات قرب كركوك", "مقتل 30 في اشتباكات قرب كركوك")
    assert number["number_in_document_only"] == 1 and number["antonym_swapped"] == 0


ARTICLE_TEXT = (
    "نفت وزارة الدفاع العراقية يوم السبت الأنباء التي تحدثت عن انسحاب الشرطة الاتحادية من كركوك، ووصفتها "
    "بأنها مفبركة.\n\nوقالت الوزارة في بيان إن قطعات الشرطة الاتحادية ما زالت في مواقعها في أنحاء المحافظة "
    "ولم تنسحب.\n\nوكانت صور نشرت على مواقع التواصل الاجتماعي قد أظهرت نقاط تفتيش خالية على الطريق الجنوبي."
)


def test_arabic_article_denying_a_claim_in_title_and_text_denies_it():
    require_stance_model()
    reading = read_document(title="وزارة الدفاع تنفي انسحاب الشرطة الاتحادية من كركوك", text=ARTICLE_TEXT)

    stances = reading.stances_towards({1: "انسحاب الشرطة الاتحادية من كركوك"})

    assert list(stances) == [1]
    assert stances[1].label == "denies"


def test_arabic_football_article_is_not_related_to_a_withdrawal_claim():
    require_stance_model()
    reading = read_document(title="أربيل يفوز على زاخو بركلة جزاء في الدقيقة الأخيرة", text="")

    assert reading.stances_towards({1: "انسحاب الشرطة الاتحادية من كركوك"}) == {}


def test_english_pairs_still_go_to_the_english_model():
    model = require_stance_model()
    claim = model.analyse("Federal police withdrew from Kirkuk")
    document = model.analyse("Baghdad says no withdrawal of federal police from Kirkuk")

    assert claim.arabic is None and document.arabic is None
    assert model.arabic is not None
    (result,) = model.classify_pairs([(claim, document)])
    assert result.label == "denies"


def test_train_stance_learns_an_arabic_model_deterministically_without_pickle(tmp_path):
    import numpy as np

    from claims.tests.test_train_stance import write_tiny_training_data

    data = tmp_path / "data"
    write_tiny_training_data(data)
    (data / "arabic-ans").mkdir()
    rows = read_ans(FIXTURES / "ans_small.csv") * 3
    for name in ("stance_train.csv", "stance_dev.csv"):
        with open(data / "arabic-ans" / name, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["s1", "s2", "stance"])
            to_ans = {"asserts": "agree", "denies": "disagree", "unrelated": "other"}
            writer.writerows([p.claim, p.document, to_ans[p.label]] for p in rows)
    for run in ("first", "second"):
        call_command(
            "train_stance",
            "--data",
            str(data),
            "--output",
            str(tmp_path / run),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )

    first, second = (tmp_path / "first" / "arabic.npz", tmp_path / "second" / "arabic.npz")
    assert first.read_bytes() == second.read_bytes()
    with np.load(first, allow_pickle=False) as arrays:
        assert {"vocabulary", "weights", "dense_features", "labels", "meta"} <= set(arrays.files)
