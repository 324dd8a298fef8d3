"""One claim, several wordings, and search that understands Arabic script: a journalist adds "the
same claim in Arabic"; the newsroom search, the API's `q`, the similar-claims warning and matching
use every wording, with one normalisation of alef and hamza forms, taa marbuta, diacritics, digits
and attached prefixes (claimtrack.lib.arabic). Feeds and pages are real HTTP on loopback."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from claims import selectors, services
from claims.models import Appearance, Claim, ClaimWording
from sources import ingestion
from tests import factories
from tests.httpserver import LoopbackServer
from tests.services import require_stance_model
from tests.web_pages import article, rss

pytestmark = pytest.mark.django_db

ARABIC_CLAIM = "انسحاب الشرطة الاتحادية من كركوك"
ENGLISH_CLAIM = "Federal police withdrew from Kirkuk"

ARABIC_DENIAL_TITLE = "وزارة الدفاع تنفي انسحاب الشرطة الاتحادية من كركوك"
ARABIC_DENIAL = [
    "نفت وزارة الدفاع العراقية يوم السبت الأنباء التي تحدثت عن انسحاب الشرطة الاتحادية من كركوك، ووصفتها بأنها مفبركة.",
    "وقالت الوزارة في بيان إن قطعات الشرطة الاتحادية ما زالت في مواقعها في أنحاء المحافظة ولم تنسحب.",
    "وكانت صور نشرت على مواقع التواصل الاجتماعي قد أظهرت نقاط تفتيش خالية على الطريق الجنوبي.",
]
ARABIC_FOOTBALL_TITLE = "أربيل يفوز على زاخو بركلة جزاء في الدقيقة الأخيرة"
ARABIC_FOOTBALL = [
    "فاز نادي أربيل على ضيفه زاخو بهدفين مقابل هدف واحد في الدوري العراقي الممتاز مساء الأحد.",
    "وسجل المهاجم هدف الفوز من ركلة جزاء في الوقت بدل الضائع بعد عرقلة داخل المنطقة.",
    "وقال المدرب إن فريقه سيركز الآن على مباراة نصف نهائي الكأس الأسبوع المقبل.",
]


# Search ----------------------------------------------------------------------------------------


def test_another_alef_form_finds_the_claim():
    claim = factories.make_claim(ARABIC_CLAIM)
    factories.make_claim(ENGLISH_CLAIM)
    assert list(selectors.filtered_claim_list(query="إنسحاب")) == [claim]


def test_a_word_with_attached_prefixes_finds_the_word_without_them():
    claim = factories.make_claim(ARABIC_CLAIM)
    assert list(selectors.filtered_claim_list(query="والشرطة")) == [claim]
    assert list(selectors.filtered_claim_list(query="بالشرطه الاتحاديه")) == [claim]


def test_diacritics_tatweel_and_digits_do_not_hide_a_claim():
    claim = factories.make_claim("مقتل ٣ أشخاص في انفجار ببغداد")
    assert list(selectors.filtered_claim_list(query="مَقتل 3")) == [claim]
    assert list(selectors.filtered_claim_list(query="انفجــار")) == [claim]


def test_sorani_letter_variants_find_the_claim():
    claim = factories.make_claim("پۆلیسی فیدراڵ لە کەرکووک کشایەوە")
    # Typed with the Arabic kaf and yeh, as an Arabic keyboard gives them.
    assert list(selectors.filtered_claim_list(query="كەركووك")) == [claim]
    assert list(selectors.filtered_claim_list(query="پۆليسي")) == [claim]


def test_an_unrelated_arabic_word_finds_nothing():
    factories.make_claim(ARABIC_CLAIM)
    assert list(selectors.filtered_claim_list(query="الموصل")) == []


def test_the_api_q_finds_the_same_claims_as_the_newsroom_search(client, journalist):
    claim = factories.make_claim(ARABIC_CLAIM)
    english = factories.make_claim(ENGLISH_CLAIM)
    services.add_claim_wording(claim_id=english.pk, text="انسحب الشرطة الاتحادية من كركوك", language="ar")
    factories.make_claim("Fuel prices rose in Basra")
    client.force_login(journalist)
    for query in ("إنسحاب", "والشرطة", "كركوك"):
        page_ids = {c.pk for c in selectors.filtered_claim_list(query=query)}
        body = client.get("/api/v1/claims/", {"q": query}).json()
        assert {item["id"] for item in body["results"]} == page_ids, query
    assert {c.pk for c in selectors.filtered_claim_list(query="والشرطة")} == {claim.pk, english.pk}


def test_the_newsroom_search_page_finds_an_arabic_claim_by_another_spelling(client, journalist):
    claim = factories.make_claim(ARABIC_CLAIM)
    client.force_login(journalist)
    page = client.get(reverse("claims:list"), {"q": "والشرطة"}).content.decode()
    assert claim.get_absolute_url() in page


# Wordings --------------------------------------------------------------------------------------


def test_an_english_claim_is_found_by_its_arabic_wording():
    claim = factories.make_claim(ENGLISH_CLAIM)
    wording = services.add_claim_wording(claim_id=claim.pk, text=ARABIC_CLAIM, language="ar")
    assert wording.is_translation
    assert list(selectors.filtered_claim_list(query="والشرطة")) == [claim]
    assert list(selectors.filtered_claim_list(query="police")) == [claim]


def test_the_same_wording_twice_makes_one_wording():
    claim = factories.make_claim(ENGLISH_CLAIM)
    first = services.add_claim_wording(claim_id=claim.pk, text=ARABIC_CLAIM, language="ar")
    again = services.add_claim_wording(claim_id=claim.pk, text=f"  {ARABIC_CLAIM} ", language="AR")
    assert again.pk == first.pk
    assert ClaimWording.objects.filter(claim=claim).count() == 1


@pytest.mark.parametrize(
    ("text", "language", "field"),
    [("", "ar", "text"), ("   ", "ar", "text"), ("x" * 2001, "ar", "text"), (ARABIC_CLAIM, "", "language"),
     (ARABIC_CLAIM, "arabic language", "language"), (ARABIC_CLAIM, "ar\u202e", "language")],
)  # fmt: skip
def test_a_bad_wording_is_refused_and_nothing_is_stored(text, language, field):
    claim = factories.make_claim(ENGLISH_CLAIM)
    before = Claim.objects.get(pk=claim.pk).search_text
    with pytest.raises(ValidationError) as refused:
        services.add_claim_wording(claim_id=claim.pk, text=text, language=language)
    assert field in refused.value.message_dict
    assert not ClaimWording.objects.filter(claim=claim).exists()
    assert Claim.objects.get(pk=claim.pk).search_text == before


def test_a_retracted_wording_no_longer_finds_the_claim(editor):
    claim = factories.make_claim(ENGLISH_CLAIM)
    wording = services.add_claim_wording(claim_id=claim.pk, text=ARABIC_CLAIM, language="ar")
    services.retract_claim_wording(wording=wording, retracted_by=editor, reason="Wrong claim")
    assert list(selectors.filtered_claim_list(query="والشرطة")) == []
    wording.refresh_from_db()
    assert wording.retracted_at is not None and wording.text == ARABIC_CLAIM  # kept, not deleted


def test_the_similar_claims_warning_uses_every_wording():
    claim = factories.make_claim(ENGLISH_CLAIM)
    services.add_claim_wording(claim_id=claim.pk, text=ARABIC_CLAIM, language="ar")
    assert selectors.similar_claims("إنسحاب الشرطة الإتحادية من كركوك اليوم") == [claim]


def test_editing_the_claims_text_keeps_its_wordings_searchable(journalist):
    claim = factories.make_claim(ENGLISH_CLAIM)
    services.add_claim_wording(claim_id=claim.pk, text=ARABIC_CLAIM, language="ar")
    services.update_claim(claim_id=claim.pk, edited_by=journalist, text="Federal police left Kirkuk")
    assert list(selectors.filtered_claim_list(query="والشرطة")) == [claim]
    assert list(selectors.filtered_claim_list(query="left")) == [claim]


def test_a_merge_moves_the_absorbed_claims_wordings_to_the_survivor(editor):
    survivor = factories.make_claim(ENGLISH_CLAIM)
    absorbed = factories.make_claim("Federal police left Kirkuk")
    services.add_claim_wording(claim_id=absorbed.pk, text=ARABIC_CLAIM, language="ar")
    services.merge_claims(absorbed=absorbed, into=survivor, merged_by=editor, reason="Duplicate")
    assert list(survivor.wordings.values_list("text", flat=True)) == [ARABIC_CLAIM]
    assert list(selectors.filtered_claim_list(query="والشرطة")) == [survivor]


def test_a_journalist_adds_a_wording_on_the_claim_page(client, journalist):
    claim = factories.make_claim(ENGLISH_CLAIM)
    client.force_login(journalist)
    response = client.post(
        claim.get_absolute_url(),
        {"action": "wording", "text": ARABIC_CLAIM, "language": "ar", "is_translation": "on"},
    )
    wording = ClaimWording.objects.get(claim=claim)
    assert response.status_code == 302 and response["Location"].endswith(f"#wording-{wording.pk}")
    page = client.get(claim.get_absolute_url()).content.decode()
    assert f'id="wording-{wording.pk}"' in page and 'lang="ar"' in page and ARABIC_CLAIM in page


def test_a_wording_form_without_text_shows_its_error_at_the_claims_address(client, journalist):
    claim = factories.make_claim(ENGLISH_CLAIM)
    client.force_login(journalist)
    response = client.post(claim.get_absolute_url(), {"action": "wording", "text": "", "language": "ar"})
    assert response.status_code == 400
    assert not ClaimWording.objects.exists()


def test_the_api_carries_the_wordings(client, journalist):
    claim = factories.make_claim(ENGLISH_CLAIM)
    services.add_claim_wording(claim_id=claim.pk, text=ARABIC_CLAIM, language="ar")
    client.force_login(journalist)
    expected = [{"language": "ar", "text": ARABIC_CLAIM, "is_translation": True}]
    assert client.get(f"/api/v1/claims/{claim.pk}/").json()["wordings"] == expected
    [listed] = client.get("/api/v1/claims/").json()["results"]
    assert listed["wordings"] == expected


def test_claimreview_and_the_public_page_carry_the_wordings(client, editor):
    from claims.claimreview import claimreview_jsonld

    claim = factories.make_claim(ENGLISH_CLAIM, language="en")
    services.add_claim_wording(claim_id=claim.pk, text=ARABIC_CLAIM, language="ar")
    verdict = services.publish_verdict(claim=claim, rating_name="False", summary="", author=editor)
    review = claimreview_jsonld(claim=claim, verdict=verdict, appearances=[], claim_url="https://x.example/")
    assert review["inLanguage"] == "en"
    assert review["itemReviewed"]["workTranslation"] == [{"@type": "Claim", "inLanguage": "ar", "text": ARABIC_CLAIM}]
    page = client.get(reverse("claims:fact-check", args=[claim.pk])).content.decode()
    assert f'<li lang="ar" dir="auto">{ARABIC_CLAIM}</li>' in page


# Matching ----------------------------------------------------------------------------------------


@pytest.fixture
def server(settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.FETCH_HOST_INTERVAL = 0
    settings.FETCH_TIMEOUT = 10
    cache.clear()
    with LoopbackServer() as running:
        yield running


def ingest_feed(server, django_capture_on_commit_callbacks, articles):
    """Serve the articles and a feed listing them, poll it and fetch every entry, as the worker does."""
    outlet = factories.SourceFactory(name="Al Sumaria", language="ar")
    items = [
        (server.add(f"/news/{n}", article(title, body, lang="ar")), title) for n, (title, body) in enumerate(articles)
    ]
    feed = factories.FeedFactory(source=outlet, url=server.add("/feed.xml", rss(items)))
    outcome = ingestion.poll_feed(feed_id=feed.pk)
    with django_capture_on_commit_callbacks(execute=True):
        for entry_id in outcome.pending_entry_ids:
            ingestion.fetch_entry(entry_id=entry_id)
    return outlet


def suggested(claim):
    return list(Appearance.objects.filter(claim=claim, origin=Appearance.Origin.SUGGESTED).select_related("document"))


def test_an_arabic_article_from_a_feed_is_suggested_for_an_arabic_claim_and_a_football_report_is_not(
    server, django_capture_on_commit_callbacks
):
    require_stance_model()
    claim = factories.make_claim(ARABIC_CLAIM, language="ar")
    ingest_feed(
        server,
        django_capture_on_commit_callbacks,
        [(ARABIC_DENIAL_TITLE, ARABIC_DENIAL), (ARABIC_FOOTBALL_TITLE, ARABIC_FOOTBALL)],
    )
    [suggestion] = suggested(claim)
    assert suggestion.document.title == ARABIC_DENIAL_TITLE
    assert suggestion.stance == "denies"


def test_an_arabic_article_is_suggested_for_an_english_claim_once_it_has_an_arabic_wording(
    server, django_capture_on_commit_callbacks
):
    require_stance_model()
    claim = factories.make_claim(ENGLISH_CLAIM, language="en")
    services.add_claim_wording(claim_id=claim.pk, text=ARABIC_CLAIM, language="ar")
    ingest_feed(
        server,
        django_capture_on_commit_callbacks,
        [(ARABIC_DENIAL_TITLE, ARABIC_DENIAL), (ARABIC_FOOTBALL_TITLE, ARABIC_FOOTBALL)],
    )
    [suggestion] = suggested(claim)
    assert suggestion.document.title == ARABIC_DENIAL_TITLE


def test_without_its_arabic_wording_an_english_claim_is_not_matched_to_an_arabic_article(
    server, django_capture_on_commit_callbacks
):
    claim = factories.make_claim(ENGLISH_CLAIM, language="en")
    ingest_feed(server, django_capture_on_commit_callbacks, [(ARABIC_DENIAL_TITLE, ARABIC_DENIAL)])
    assert suggested(claim) == []
