"""The language of claims and of the texts appearances were found in: detected when none is given,
and filtered by on the claim list, the review queue and the API."""

import html
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from claims import selectors, services, views
from claims.models import Claim
from tests import factories
from tests.api.conftest import key_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_cached_languages():
    cache.clear()  # the filters' lists of languages present are cached (selectors.LANGUAGES_CACHE_SECONDS)


ARABIC = "نفت وزارة الداخلية العراقية صحة الأنباء المتداولة عن انسحاب الشرطة الاتحادية من كركوك"
SORANI = "حکومەتی هەرێمی کوردستان ڕایگەیاند کە مووچەی فەرمانبەران لە هەفتەی داهاتوودا دابەش دەکرێت"
PERSIAN = "وزارت کشور عراق خبر عقب‌نشینی پلیس فدرال از کرکوک را تکذیب کرد"
TURKISH = "Irak İçişleri Bakanlığı, federal polisin Kerkük'ten çekildiği iddialarını yalanladı"
ENGLISH = "Iraq's interior ministry denied reports that federal police had withdrawn from Kirkuk"

BAD_LANGUAGES = pytest.mark.parametrize(
    "bad",
    ["x" * 200, "en\x1b[31m", "ar\r\nSet-Cookie: a=b", "<script>"],
    ids=["200 characters", "escape sequence", "line break", "markup"],
)


def texts(response) -> list[str]:
    found = re.findall(r'<a href="/claims/[^"]+" dir="auto">([^<]+)</a>', response.content.decode())
    return [html.unescape(text) for text in found]


# Logging a claim ------------------------------------------------------------------------------


def test_a_claim_logged_with_a_blank_language_gets_the_one_its_text_is_in(as_journalist):
    response = as_journalist.post(reverse("claims:create"), {"text": SORANI, "language": ""})
    assert response.status_code == 302
    assert Claim.objects.get().language == "ckb"


def test_a_journalists_choice_of_language_is_kept_over_the_detected_one(as_journalist):
    as_journalist.post(reverse("claims:create"), {"text": ENGLISH, "language": "ar"})
    assert Claim.objects.get().language == "ar"


def test_a_claim_too_short_to_tell_is_logged_without_a_language(journalist):
    assert services.create_claim(text="Kirkuk?", created_by=journalist).language == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [(ARABIC, "ar"), (SORANI, "ckb"), (PERSIAN, "fa"), (TURKISH, "tr"), (ENGLISH, "en")],
    ids=["arabic", "sorani", "persian", "turkish", "english"],
)
def test_a_claim_submitted_through_the_api_without_a_language_gets_the_detected_one(text, expected):
    client = key_client(factories.make_api_key("write")[1])
    response = client.post("/api/v1/claims/", {"text": text}, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["language"] == expected
    assert Claim.objects.get(pk=response.json()["id"]).language == expected


def test_a_partners_language_is_kept():
    client = key_client(factories.make_api_key("write")[1])
    response = client.post("/api/v1/claims/", {"text": SORANI, "language": "ku"}, content_type="application/json")
    assert response.json()["language"] == "ku"


# The claim list -------------------------------------------------------------------------------


@pytest.fixture
def claims_in_five_languages(journalist):
    return {
        language: factories.make_claim(text=text, created_by=journalist)
        for language, text in [("ar", ARABIC), ("ckb", SORANI), ("fa", PERSIAN), ("tr", TURKISH), ("en", ENGLISH)]
    }


def test_the_claim_list_filters_by_language_and_offers_the_languages_present(as_journalist, claims_in_five_languages):
    assert {language: claim.language for language, claim in claims_in_five_languages.items()} == {
        "ar": "ar",
        "ckb": "ckb",
        "fa": "fa",
        "tr": "tr",
        "en": "en",
    }
    response = as_journalist.get(reverse("claims:list"), {"language": "ckb"})
    assert texts(response) == [SORANI]
    page = response.content.decode()
    offered = re.findall(r'<option value="([^"]*)"', page[page.index('id="id_language"') :].split("</select>")[0])
    assert offered == ["", "ar", "ckb", "en", "fa", "tr"]
    assert '<option value="ckb" selected>' in page
    assert texts(as_journalist.get(reverse("claims:list"), {"language": "fa"})) == [PERSIAN]
    assert len(texts(as_journalist.get(reverse("claims:list")))) == 5


def test_a_language_no_claim_is_in_lists_nothing(as_journalist, claims_in_five_languages):
    response = as_journalist.get(reverse("claims:list"), {"language": "ku"})
    assert response.status_code == 200
    assert texts(response) == []


@BAD_LANGUAGES
def test_a_language_filter_that_is_no_language_tag_is_a_form_error_on_the_claim_list(
    as_journalist, claims_in_five_languages, bad
):
    response = as_journalist.get(reverse("claims:list"), {"language": bad})
    assert response.status_code == 200
    assert "Choose a language from the list" in response.content.decode()


def test_the_languages_offered_are_read_again_when_the_cache_is_out_of_reach(
    as_journalist, claims_in_five_languages, monkeypatch
):
    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", unreachable)
    monkeypatch.setattr(cache, "set", unreachable)
    response = as_journalist.get(reverse("claims:list"), {"language": "tr"})
    assert texts(response) == [TURKISH]
    assert selectors.claim_languages() == ["ar", "ckb", "en", "fa", "tr"]


def test_the_claim_list_selector_matches_the_language_exactly(claims_in_five_languages):
    factories.make_claim(text="A claim about Kirkuk in regional Arabic", language="ar-IQ")
    assert [c.language for c in selectors.filtered_claim_list(language="ar")] == ["ar"]
    assert selectors.claim_languages() == ["ar", "ar-IQ", "ckb", "en", "fa", "tr"]


# The review queue -----------------------------------------------------------------------------


@pytest.fixture
def pending_in_three_languages(claim):
    """Suggestions found in an Arabic, a Sorani and an English article, and a partner's submission
    citing a document declared Persian (no revision)."""
    found = {}
    for language, text in [("ar", ARABIC), ("ckb", SORANI), ("en", ENGLISH)]:
        revision = factories.ingest_article(title="", text=f"{text}. {text}.")
        assert revision.language == language
        found[language] = factories.make_suggestion(
            claim=claim, document=revision.document, revision=revision, quote=text
        )
    document = factories.DocumentFactory(language="fa-IR")
    found["fa"] = factories.make_appearance(
        claim=claim,
        source=document.source,
        document=document,
        origin="partner",
        review_state="pending",
        recorded_by=None,
        submitted_by_partner=factories.make_partner(),
    )
    return found


def pending_ids(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'id="pending-(\d+)"', response.content.decode())}


def test_the_review_queue_filters_by_the_language_of_the_document_revision(as_journalist, pending_in_three_languages):
    found = pending_in_three_languages
    assert pending_ids(as_journalist.get(reverse("claims:review"))) == {a.pk for a in found.values()}
    for language in ("ar", "ckb", "en"):
        response = as_journalist.get(reverse("claims:review"), {"language": language})
        assert pending_ids(response) == {found[language].pk}, language
    # No revision (a partner's submission): its document's declared language, by its primary subtag.
    assert pending_ids(as_journalist.get(reverse("claims:review"), {"language": "fa"})) == {found["fa"].pk}
    assert pending_ids(as_journalist.get(reverse("claims:review"), {"language": "tr"})) == set()
    assert selectors.pending_languages() == ["ar", "ckb", "en", "fa"]


def test_the_review_queue_language_follows_the_revision_not_the_documents_first_language(claim):
    # A page first in Arabic, rewritten in Sorani: the suggestion on the Sorani revision is Sorani.
    first = factories.ingest_article(title="", text=ARABIC, url="https://news.example.org/rewritten")
    from sources.services import record_revision

    second = record_revision(document=first.document, title="", text=SORANI)
    first.document.refresh_from_db()
    assert (first.language, second.language, first.document.language) == ("ar", "ckb", "ar")
    suggestion = factories.make_suggestion(claim=claim, document=first.document, revision=second)
    assert list(selectors.pending_appearances(language="ckb")) == [suggestion]
    assert list(selectors.pending_appearances(language="ar")) == []


def test_the_review_queue_keeps_its_language_in_the_page_links(as_journalist, claim):
    for n in range(views.CLAIMS_PER_PAGE + 1):
        revision = factories.ingest_article(title="", text=f"{SORANI} {n}")
        factories.make_suggestion(claim=claim, document=revision.document, revision=revision)
    html = as_journalist.get(reverse("claims:review"), {"language": "ckb"}).content.decode()
    assert 'href="?language=ckb&amp;page=2"' in html


@BAD_LANGUAGES
def test_a_review_queue_language_that_is_no_language_tag_is_a_form_error(
    as_journalist, pending_in_three_languages, bad
):
    response = as_journalist.get(reverse("claims:review"), {"language": bad})
    assert response.status_code == 200
    assert "Choose a language from the list" in response.content.decode()


# The API --------------------------------------------------------------------------------------


def test_the_api_filters_claims_by_language_exactly(claims_in_five_languages):
    factories.make_claim(text="A claim about Kirkuk in regional Arabic", language="ar-IQ")
    client = key_client(factories.make_api_key("read")[1])
    for language in ("ar", "ckb", "fa", "tr", "en"):
        results = client.get("/api/v1/claims/", {"language": language}).json()["results"]
        assert [r["language"] for r in results] == [language]
    assert client.get("/api/v1/claims/", {"language": "ku"}).json()["results"] == []


@BAD_LANGUAGES
def test_an_api_language_filter_that_is_no_language_tag_is_a_400_naming_it(claims_in_five_languages, bad):
    client = key_client(factories.make_api_key("read")[1])
    response = client.get("/api/v1/claims/", {"language": bad})
    assert response.status_code == 400
    assert "language" in response.json()["error"]["fields"]


def test_the_api_documents_its_language_filter():
    client = key_client(factories.make_api_key("read")[1])
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    [parameter] = [p for p in schema["paths"]["/api/v1/claims/"]["get"]["parameters"] if p["name"] == "language"]
    assert parameter["schema"]["maxLength"] == 16 and parameter["schema"]["pattern"]
    assert "exactly" in parameter["description"]
