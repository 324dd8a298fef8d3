"""import_claimreview with malformed ClaimReviews: each bad item is refused whole with a clear
reason, the good ones are imported, and the command exits non-zero when it refused any."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from claims.claimreview import import_claimreview
from claims.models import Appearance, Claim, Verdict
from sources.models import Document, Source

pytestmark = pytest.mark.django_db


def review(text="The dam burst", **fields):
    return {"@type": "ClaimReview", "claimReviewed": text, "reviewRating": {"alternateName": "False"}, **fields}


MALFORMED = {
    "unparseable date": (review(datePublished="next Tuesday"), "datePublished"),
    "impossible date": (review(datePublished="2024-13-45"), "not a valid date"),
    "impossible time": (review(datePublished="2024-01-01T25:61:00"), "not a valid date"),
    "date at the end of time": (review(datePublished="9999-12-31T23:59:59-23:00"), "not a valid date"),
    "date of the wrong type": (review(datePublished=20240101), "not a date"),
    "item date unparseable": (review(itemReviewed={"datePublished": "yesterday"}), "itemReviewed.datePublished"),
    "claim of 100,000 characters": (review("x" * 100_000), "claimReviewed is 100000 characters"),
    "claim of the wrong type": (review(["a", "list"]), "claimReviewed must be text"),
    "summary too long": (review(reviewBody="y" * 6000), "reviewBody is 6000 characters"),
    "summary of the wrong type": (review(reviewBody={"text": "no"}), "reviewBody must be text"),
    "rating of the wrong type": (review(reviewRating="False"), "reviewRating must be an object"),
    "rating name too long": (review(reviewRating={"alternateName": "F" * 500}), "reviewRating.alternateName is"),
    "language too long": (review(inLanguage="en-" + "x" * 100), "inLanguage is"),
    "language of the wrong type": (review(inLanguage=["en"]), "inLanguage must be text"),
    "item of the wrong type": (review(itemReviewed="a claim"), "itemReviewed must be an object"),
    "author of the wrong type": (review(itemReviewed={"author": "Rudaw"}), "author must be an object"),
    "author name too long": (
        review(itemReviewed={"author": {"@type": "Organization", "name": "R" * 300}}),
        "itemReviewed.author.name is 300",
    ),
    "author name of the wrong type": (
        review(itemReviewed={"author": {"name": 7}}),
        "itemReviewed.author.name must be text",
    ),
    "appearance url not http": (
        review(itemReviewed={"author": {"name": "Rudaw"}, "appearance": {"url": "javascript:alert(1)"}}),
        "valid http",
    ),
    "appearance url too long": (
        review(itemReviewed={"author": {"name": "Rudaw"}, "appearance": {"url": "https://a.org/" + "p" * 3000}}),
        "itemReviewed.appearance.url is",
    ),
    "not an object": ("just a string", "must be a JSON object"),
}


@pytest.mark.parametrize(("item", "reason"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_claimreview_is_refused_whole_with_a_clear_reason(item, reason):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        import_claimreview(item)

    assert reason in " ".join(refused.value.messages)
    assert not Claim.objects.exists() and not Verdict.objects.exists()
    assert not Source.objects.exists() and not Document.objects.exists() and not Appearance.objects.exists()


def test_characters_a_column_cannot_store_are_dropped_from_imported_text():
    claim, created = import_claimreview(review("The dam\x00 burst", reviewBody="Not\x00 true."))

    assert created and claim.text == "The dam burst"
    assert Verdict.objects.get(claim=claim).summary == "Not true."


def test_the_command_imports_the_good_items_reports_each_refused_one_and_exits_non_zero(tmp_path):
    items = [review("A bridge in Mosul collapsed")] + [item for item, _reason in MALFORMED.values()]
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps(items))
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match=f"{len(MALFORMED) - 1} ClaimReview"):
        call_command("import_claimreview", str(path), stdout=out, stderr=err)

    assert list(Claim.objects.values_list("text", flat=True)) == ["A bridge in Mosul collapsed"]
    assert err.getvalue().count("not imported") == len(MALFORMED) - 1  # "not an object" is not a ClaimReview
    assert "datePublished: 'next Tuesday' is not a date" in err.getvalue()
    assert f"1 created, 0 already tracked, {len(MALFORMED) - 1} not imported." in out.getvalue()


def test_the_command_refuses_a_file_that_is_not_utf_8_or_nested_too_deeply(tmp_path):
    latin = tmp_path / "latin.json"
    latin.write_bytes(json.dumps(review("café"), ensure_ascii=False).encode().replace(b"\xc3\xa9", b"\xe9"))
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)

    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_claimreview", str(latin), stdout=io.StringIO())
    with pytest.raises(CommandError, match="Not valid JSON-LD"):
        call_command("import_claimreview", str(deep), stdout=io.StringIO())
    assert not Claim.objects.exists()
