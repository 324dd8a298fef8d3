"""The public fact-check page: where ClaimReview's `url` points, readable without a login, showing
only what is published."""

import json
import re

import pytest
from django.test import Client

from claims import services
from claims.models import Claim, Stance
from tests import factories
from tests.api.conftest import key_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return factories.EditorFactory(username="hana.editor", email="hana@newsroom.example")


@pytest.fixture
def journalist(db):
    return factories.JournalistFactory(username="omar.journalist", email="omar@newsroom.example")


@pytest.fixture
def ruled_claim(editor, journalist):
    claim = factories.make_claim(text="Federal police withdrew from Kirkuk", created_by=journalist)
    ministry = factories.SourceFactory(name="Ministry of Defence", kind="official_body")
    factories.make_appearance(claim=claim, source=factories.SourceFactory(name="Local media"), quote="They left.")
    factories.make_appearance(claim=claim, source=ministry, stance=Stance.DENIES, quote="Fabricated.")
    hidden = factories.make_appearance(claim=claim, source=factories.SourceFactory(name="Retracted outlet"))
    services.retract_appearance(appearance=hidden, retracted_by=editor, reason="Wrong claim entirely.")
    factories.make_suggestion(claim=claim, source=factories.SourceFactory(name="Suggested outlet"))
    rejected = factories.make_suggestion(claim=claim, source=factories.SourceFactory(name="Rejected outlet"))
    services.reject_pending_appearance(appearance=rejected, reviewed_by=journalist)
    services.change_status(
        claim=claim, to_status="false", rationale="Internal: called the ministry's press office.", changed_by=editor
    )
    services.publish_verdict(claim=claim, rating_name="False", author=editor, summary="No withdrawal took place.")
    return claim


def test_anyone_can_read_a_published_verdict_without_logging_in(ruled_claim):
    response = Client().get(f"/fact-checks/{ruled_claim.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Federal police withdrew from Kirkuk" in page
    assert "No withdrawal took place." in page
    assert re.search(r'<strong id="rating">False</strong>', page)
    assert "Local media" in page and "Ministry of Defence" in page and "Fabricated." in page


def test_fact_check_page_shows_nothing_unpublished_or_internal(ruled_claim, editor, journalist):
    page = Client().get(f"/fact-checks/{ruled_claim.pk}/").content.decode()

    assert "Retracted outlet" not in page  # retracted appearance
    assert "Suggested outlet" not in page  # pending suggestion
    assert "Rejected outlet" not in page  # rejected suggestion
    assert "press office" not in page  # a status rationale is the newsroom's working note
    assert editor.username not in page and journalist.username not in page
    assert editor.email not in page


def test_fact_check_page_embeds_the_apis_claimreview_whose_url_is_the_page_itself(ruled_claim):
    page = Client().get(f"/fact-checks/{ruled_claim.pk}/").content.decode()

    embedded = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    api = key_client(factories.make_api_key("read")[1]).get(f"/api/v1/claims/{ruled_claim.pk}/claimreview/").json()
    assert embedded == api
    assert embedded["url"] == f"http://testserver/fact-checks/{ruled_claim.pk}/"


def test_claim_without_a_published_verdict_has_no_fact_check_page(journalist):
    claim = factories.make_claim(text="Still being checked", created_by=journalist)

    assert Client().get(f"/fact-checks/{claim.pk}/").status_code == 404
    assert Client().get("/fact-checks/999999/").status_code == 404


def test_fact_check_page_only_answers_get(ruled_claim):
    response = Client().post(f"/fact-checks/{ruled_claim.pk}/")

    assert response.status_code == 405
    assert Claim.objects.get(pk=ruled_claim.pk).status == "false"


def test_a_newsroom_can_point_claimreview_to_its_own_article(ruled_claim, settings):
    settings.CLAIMTRACK_CLAIMREVIEW_URL = "https://news.example/fact-check/{slug}/?ref={id}"

    review = key_client(factories.make_api_key("read")[1]).get(f"/api/v1/claims/{ruled_claim.pk}/claimreview/")

    assert review.json()["url"] == f"https://news.example/fact-check/{ruled_claim.slug}/?ref={ruled_claim.pk}"


def test_fact_check_page_names_itself_canonical(ruled_claim):
    page = Client().get(f"/fact-checks/{ruled_claim.pk}/").content.decode()

    assert f'<link rel="canonical" href="http://testserver/fact-checks/{ruled_claim.pk}/">' in page


def test_with_the_newsrooms_own_article_configured_the_page_names_that_article_canonical(settings, editor):
    settings.CLAIMTRACK_CLAIMREVIEW_URL = "https://news.example/fact-check/{slug}/"
    claim = factories.make_claim(text="انسحاب الشرطة من كركوك", slug="انسحاب-الشرطة")
    services.publish_verdict(claim=claim, rating_name="False", author=editor)
    article = (
        "https://news.example/fact-check/%D8%A7%D9%86%D8%B3%D8%AD%D8%A7%D8%A8-%D8%A7%D9%84%D8%B4%D8%B1%D8%B7%D8%A9/"
    )

    page = Client().get(f"/fact-checks/{claim.pk}/").content.decode()

    assert f'<link rel="canonical" href="{article}">' in page
    embedded = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert embedded["url"] == article
