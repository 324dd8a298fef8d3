"""The demo claim's ClaimReview, field by field; the same JSON-LD on its page; the import."""

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

from claims import demo
from claims.models import Claim, Verdict
from tests import factories
from tests.api.conftest import session_client

pytestmark = pytest.mark.django_db


def test_demo_claimreview_has_every_field_partners_and_search_engines_read(demo_claim, read_client, settings):
    response = read_client.get(f"/api/v1/claims/{demo_claim.pk}/claimreview/")
    assert response.status_code == 200
    review = response.json()

    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == demo.CLAIM_TEXT
    # The public fact-check page: the claim page itself needs a login, which a reader has not got.
    assert review["url"] == f"http://testserver/fact-checks/{demo_claim.pk}/"
    assert review["datePublished"] == demo.VERDICT_AT.isoformat()
    assert review["author"] == {
        "@type": "Organization",
        "name": settings.CLAIMTRACK_ORGANISATION["name"],
        "url": settings.CLAIMTRACK_ORGANISATION["url"],
    }
    assert review["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 3,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "Unproven",
    }
    assert review["reviewBody"] == demo.VERDICT_SUMMARY
    assert review["inLanguage"] == "en"

    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    # The first asserting source: local media, on the Friday morning.
    assert item["author"] == {"@type": "Organization", "name": "Local media"}
    assert item["datePublished"] == demo.APPEARANCES[0]["seen_at"].isoformat()
    # Appearances come from the record: those with a document (local media and the social posts
    # have none), so Kurdistan 24's report is the first and only one; the ministry's denial is not
    # an appearance of the claim.
    k24 = {
        "@type": "CreativeWork",
        "url": demo.DOCUMENTS["k24"]["url"],
        "datePublished": demo.DOCUMENTS["k24"]["published_at"].isoformat(),
        "headline": demo.K24_TITLE,
        "author": {"@type": "Organization", "name": "Kurdistan 24", "url": "https://www.kurdistan24.net/"},
    }
    assert item["firstAppearance"] == k24
    assert item["appearance"] == [k24]


def test_claimreview_appearances_are_the_earliest_with_a_document_and_a_rewritten_one_only_first(read_client):
    from datetime import timedelta

    from django.utils import timezone

    from claims import services
    from claims.models import Appearance

    editor = factories.EditorFactory()
    claim = factories.make_claim()
    start = timezone.now() - timedelta(days=2)
    outlet = factories.SourceFactory(name="Kurdistan 24")
    rewritten = factories.DocumentFactory(source=outlet, url="https://k24.example/story")
    first = factories.make_appearance(
        claim=claim, source=outlet, document=rewritten, stance="asserts", seen_at=start + timedelta(hours=1)
    )
    factories.make_appearance(claim=claim, stance="asserts", seen_at=start)  # no document: not listed
    later = factories.DocumentFactory(url="https://other.example/story")
    second = factories.make_appearance(
        claim=claim, source=later.source, document=later, stance="reports", seen_at=start + timedelta(hours=2)
    )
    story_change = services.record_appearance(
        claim=claim,
        source=outlet,
        document=rewritten,
        stance="denies",
        recorded_by=None,
        origin=Appearance.Origin.REVISION,
        revision=factories.DocumentRevisionFactory(document=rewritten),
        supersedes=first,
        passage_sha256="b" * 64,
        seen_at=start + timedelta(hours=3),
    )
    services.accept_pending_appearance(appearance=story_change, reviewed_by=editor)
    services.publish_verdict(claim=claim, rating_name="False", author=editor)

    item = read_client.get(f"/api/v1/claims/{claim.pk}/claimreview/").json()["itemReviewed"]

    # Where the claim first appeared, though the article was since rewritten to deny it...
    assert item["firstAppearance"]["url"] == "https://k24.example/story"
    assert item["firstAppearance"]["datePublished"] == first.seen_at.isoformat()
    # ...and where it still appears (the rewritten article denies it now: not an appearance).
    assert [work["url"] for work in item["appearance"]] == ["https://other.example/story"]
    assert item["appearance"][0]["author"]["name"] == second.source.name


def test_claimreview_of_a_claim_without_verdict_is_a_json_404(read_client):
    claim = factories.make_claim()
    response = read_client.get(f"/api/v1/claims/{claim.pk}/claimreview/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_claim_page_embeds_the_same_jsonld_as_the_api(demo_claim, read_client):
    page = session_client("journalist").get(f"/claims/{demo_claim.pk}/").content.decode()
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match, "the claim page has no JSON-LD"
    embedded = json.loads(match.group(1))
    assert embedded == read_client.get(f"/api/v1/claims/{demo_claim.pk}/claimreview/").json()


def test_jsonld_on_the_page_cannot_close_its_script_element(read_client, editor):
    from claims import services

    claim = factories.make_claim(text="</script><script>alert(1)</script> & more")
    services.publish_verdict(claim=claim, rating_name="False", author=editor)
    page = session_client_for(editor).get(f"/claims/{claim.pk}/").content.decode()
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert "<" not in script
    assert json.loads(script)["claimReviewed"] == claim.text


def session_client_for(user):
    from tests.api.conftest import APIClient

    client = APIClient()
    client.force_login(user)
    return client


def test_claimreviews_lists_every_published_verdict(demo_claim, read_client, editor):
    from claims import services

    unreviewed = factories.make_claim(text="Unreviewed claim")
    reviewed = factories.make_claim(text="Reviewed claim")
    services.publish_verdict(claim=reviewed, rating_name="Mostly false", author=editor)
    results = read_client.get("/api/v1/claimreviews/").json()["results"]
    assert [r["claimReviewed"] for r in results] == ["Reviewed claim", demo.CLAIM_TEXT]
    assert unreviewed.text not in {r["claimReviewed"] for r in results}


def test_import_claimreview_round_trips_our_own_export(demo_claim, read_client, tmp_path):
    exported = read_client.get(f"/api/v1/claims/{demo_claim.pk}/claimreview/").json()
    exported["claimReviewed"] = "Imported: " + exported["claimReviewed"]
    page = tmp_path / "page.html"
    page.write_text(f'<html><head><script type="application/ld+json">{json.dumps(exported)}</script></head></html>')
    out = io.StringIO()
    call_command("import_claimreview", str(page), stdout=out)
    imported = Claim.objects.get(text=exported["claimReviewed"])
    verdict = Verdict.objects.get(claim=imported)
    assert (verdict.rating_name, verdict.rating_value) == ("Unproven", 3)
    assert verdict.published_at.isoformat() == exported["datePublished"]
    assert imported.appearances.get().source.name == "Local media"
    assert "1 created" in out.getvalue()

    call_command("import_claimreview", str(page), stdout=out)  # twice: nothing new
    assert Claim.objects.filter(text=exported["claimReviewed"]).count() == 1


def test_import_claimreview_refuses_unknown_ratings_and_keeps_the_others(db, tmp_path):
    reviews = [
        {"@type": "ClaimReview", "claimReviewed": "Claim one", "reviewRating": {"alternateName": "False"}},
        {"@type": "ClaimReview", "claimReviewed": "Claim two", "reviewRating": {"alternateName": "Pants on fire"}},
    ]
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps({"@context": "https://schema.org", "@graph": reviews}))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_claimreview", str(path), stdout=io.StringIO(), stderr=err)
    assert Claim.objects.filter(text="Claim one").exists()
    assert not Claim.objects.filter(text="Claim two").exists()
    assert "Unknown rating" in err.getvalue()
