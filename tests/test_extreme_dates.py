"""Dates at the edges (issue 14, class 1): a time before 1900, in the future or near 9999-12-31 is
refused at every entrance (or dropped, for other people's data), and a pending submission never
moves a claim's last activity. Run on PostgreSQL too (DATABASE_URL): a BC time is its problem."""

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from archive.services import export_archive
from claims import services
from claims.claimreview import import_claimreview
from claims.models import Appearance, Claim, Verdict
from tests import factories
from tests.httpserver import LoopbackServer
from tests.web_pages import PARAGRAPHS, article

pytestmark = pytest.mark.django_db

# Year 1 at 01:00 in Baghdad (local mean time, +02:57:40) is 0000-12-31 in UTC: a BC time.
YEAR_ONE_IN_THE_NEWSROOM = "0001-01-01T01:00"
EXTREME_API_TIMES = [
    "9999-12-31T23:00:00Z",  # overflows when shown at UTC+3
    "9999-12-31T23:59:59.999999Z",
    "0001-01-01T00:00:00Z",
    "1899-12-31T23:59:59Z",
    "3000-01-01T00:00:00Z",
]


def api_client(scope="write") -> Client:
    _api_key, plain = factories.make_api_key(scope)
    return Client(HTTP_AUTHORIZATION=f"Api-Key {plain}")


def post_json(client, path, data):
    return client.post(path, data, content_type="application/json")


def in_days(days: int) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def assert_refused_field(response, field):
    assert response.status_code == 400, response.content[:500]
    body = response.json()["error"]
    assert field in body["fields"], body
    assert "between 1900-01-01 and" in " ".join(body["fields"][field])


# --- The newsroom's forms ------------------------------------------------------------------------


def test_settings_show_pages_at_utc_plus_three(settings):
    # The tests below rely on it: the defects are of a newsroom east of UTC.
    assert settings.NEWSROOM_TIME_ZONE == "Asia/Baghdad"


def test_a_claim_first_seen_in_year_one_newsroom_time_is_refused_and_every_list_keeps_working(as_journalist, tmp_path):
    factories.make_claim(text="A claim already tracked")
    response = as_journalist.post(
        "/claims/new/", {"text": "The dam at Mosul has collapsed", "first_seen_at": YEAR_ONE_IN_THE_NEWSROOM}
    )
    assert response.status_code == 400
    assert "between 1900-01-01 and" in " ".join(response.context["form"].errors["first_seen_at"])
    assert Claim.objects.count() == 1

    assert as_journalist.get("/claims/").status_code == 200
    assert as_journalist.get(f"/claims/{Claim.objects.get().pk}/").status_code == 200
    assert api_client("read").get("/api/v1/claims/").status_code == 200
    export_archive(tmp_path / "archive")


def test_the_service_refuses_a_first_seen_time_in_year_one_whoever_calls_it(journalist):
    for moment in (datetime(1, 1, 1, 1, 0, tzinfo=ZoneInfo("Asia/Baghdad")), datetime(9999, 12, 31, 23, tzinfo=UTC)):
        with pytest.raises(ValidationError) as refused:
            services.create_claim(text="Old claim", created_by=journalist, first_seen_at=moment)
        assert "first_seen_at" in refused.value.error_dict
    assert not Claim.objects.exists()


@pytest.mark.parametrize("seen_at", [YEAR_ONE_IN_THE_NEWSROOM, "9999-12-31T23:59", "1899-12-31T23:00"])
def test_an_appearance_seen_at_an_extreme_time_is_refused_on_the_page(as_journalist, claim, seen_at):
    source = factories.SourceFactory()
    response = as_journalist.post(
        f"/claims/{claim.pk}/appearances/new/", {"source": source.pk, "stance": "asserts", "seen_at": seen_at}
    )
    assert response.status_code == 400
    assert "between 1900-01-01 and" in " ".join(response.context["appearance_form"].errors["seen_at"])
    assert not claim.appearances.exists()


def test_a_time_far_in_the_future_is_refused_but_a_little_clock_skew_is_not(as_journalist):
    # Typed in the newsroom's time zone, as the form reads it.
    newsroom_now = timezone.localtime(timezone=ZoneInfo(settings.NEWSROOM_TIME_ZONE))
    tomorrow_ish = (newsroom_now + timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M")
    next_week = (newsroom_now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    refused = as_journalist.post("/claims/new/", {"text": "Claim from next week", "first_seen_at": next_week})
    assert refused.status_code == 400
    accepted = as_journalist.post("/claims/new/", {"text": "Claim with a fast clock", "first_seen_at": tomorrow_ish})
    assert accepted.status_code == 302
    assert list(Claim.objects.values_list("text", flat=True)) == ["Claim with a fast clock"]


def test_correcting_a_pending_appearance_to_year_one_is_refused_and_it_stays_pending(as_editor, claim):
    suggestion = factories.make_suggestion(claim=claim)
    response = as_editor.post(
        f"/review/{suggestion.pk}/edit/", {"stance": "asserts", "quote": "", "seen_at": YEAR_ONE_IN_THE_NEWSROOM}
    )
    assert response.status_code == 400
    assert "seen_at" in response.context["form"].errors
    suggestion.refresh_from_db()
    assert suggestion.review_state == Appearance.ReviewState.PENDING
    assert as_editor.get("/review/").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"seen_until": "9999-12-31"},
        {"seen_from": "0001-01-01"},
        {"seen_from": "9999-12-31", "seen_until": "9999-12-31"},
        {"seen_until": "1899-12-31"},
    ],
)
def test_claim_list_filters_with_extreme_dates_answer_a_form_error_not_a_crash(as_journalist, claim, query):
    response = as_journalist.get("/claims/", query)
    assert response.status_code == 200
    form = response.context["filter_form"]
    assert set(form.errors) == set(query)
    assert "between 1900-01-01 and" in response.content.decode()


# --- The API ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("first_seen_at", EXTREME_API_TIMES + ["0001-01-01T01:00:00+02:57"])
def test_the_api_refuses_a_claim_first_seen_at_an_extreme_time_and_stores_nothing(db, first_seen_at):
    response = post_json(api_client(), "/api/v1/claims/", {"text": "Claim at the edge", "first_seen_at": first_seen_at})
    assert_refused_field(response, "first_seen_at")
    assert not Claim.objects.exists()


def test_the_api_accepts_the_edges_of_the_range(db):
    client = api_client()
    for first_seen_at in ("1900-01-01T00:00:00Z", in_days(0)):
        response = post_json(
            client, "/api/v1/claims/", {"text": f"Claim of {first_seen_at}", "first_seen_at": first_seen_at}
        )
        assert response.status_code == 201, response.content
    assert Claim.objects.count() == 2


@pytest.mark.parametrize("seen_at", EXTREME_API_TIMES)
def test_a_partners_pending_appearance_at_an_extreme_time_is_refused(claim, seen_at):
    source = factories.SourceFactory()
    before = claim.last_activity_at
    response = post_json(
        api_client(),
        "/api/v1/appearances/",
        {"claim": claim.pk, "source": source.pk, "stance": "asserts", "seen_at": seen_at},
    )
    assert_refused_field(response, "seen_at")
    assert not Appearance.objects.exists()
    claim.refresh_from_db()
    assert claim.last_activity_at == before


def test_a_pending_submission_does_not_move_the_claim_in_lists_until_it_is_accepted(client, journalist):
    older = factories.make_claim(text="Older claim about Basra", first_seen_at=timezone.now() - timedelta(days=3))
    newer = factories.make_claim(text="Newer claim about Erbil", first_seen_at=timezone.now() - timedelta(days=1))
    checkpoint = timezone.now().isoformat()
    reader = api_client("read")
    client.force_login(journalist)

    def newsroom_list():  # the claim list page: most recent activity first
        return [c.pk for c in client.get("/claims/").context["page"].object_list]

    def updated_since_checkpoint():
        return [c["id"] for c in reader.get("/api/v1/claims/", {"updated_since": checkpoint}).json()["results"]]

    submitted = post_json(
        api_client(),
        "/api/v1/appearances/",
        {"claim": older.pk, "source": factories.SourceFactory().pk, "stance": "denies", "seen_at": in_days(0)},
    )
    assert submitted.status_code == 201
    factories.make_suggestion(claim=older, seen_at=timezone.now())  # a machine's suggestion is pending too

    older_before = older.last_activity_at
    older.refresh_from_db()
    assert older.last_activity_at == older_before
    assert newsroom_list() == [newer.pk, older.pk]
    assert updated_since_checkpoint() == []

    # Accepting publishes it: the claim moves up, and a client syncing by updated_since sees it.
    assert client.post(f"/review/{submitted.json()['id']}/accept/").status_code == 302
    assert newsroom_list() == [older.pk, newer.pk]
    assert updated_since_checkpoint() == [older.pk]


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/claims/", "updated_since"),
        ("/api/v1/appearances/", "seen_since"),
    ],
)
@pytest.mark.parametrize(
    "value", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00", "1899-12-31T00:00:00Z"]
)
def test_api_filters_with_extreme_times_answer_400_not_500(claim, path, parameter, value):
    response = api_client("read").get(path, {parameter: value})
    assert response.status_code == 400, response.content[:300]
    assert parameter in response.json()["error"]["fields"]


# --- Other people's data: feeds, article metadata, ClaimReview -------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_feed_item_published_at_the_end_of_9999_is_stored_without_its_date_and_pages_render(settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.FETCH_HOST_INTERVAL = 0
    from django.core.cache import cache

    from sources.models import Document, DocumentRevision, FeedEntry

    cache.clear()
    editor = factories.EditorFactory()
    claim = factories.make_claim(text="Federal police withdrew from Kirkuk")
    with LoopbackServer() as server:
        page = server.add("/kirkuk", article("Federal police withdrew from Kirkuk", PARAGRAPHS))
        feed = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            "<link>http://127.0.0.1/</link><description>d</description>"
            f"<item><title>Kirkuk</title><link>{page}</link>"
            "<pubDate>Fri, 31 Dec 9999 23:00:00 GMT</pubDate></item></channel></rss>"
        ).encode()
        factories.FeedFactory(url=server.add("/feed.xml", feed))
        call_command("ingest", "--once", stdout=io.StringIO())

    assert FeedEntry.objects.get().published_at is None
    document = Document.objects.get()
    assert document.published_at is None
    services.suggest_appearances_for_revision(revision_id=DocumentRevision.objects.get(document=document).pk)

    client = Client()
    client.force_login(editor)
    for page_path in ("/review/", "/desk/", f"/claims/{claim.pk}/", "/claims/"):
        assert client.get(page_path).status_code == 200, page_path


def test_a_claimreview_dated_year_one_is_refused_and_nothing_is_imported(db):
    review = {
        "@type": "ClaimReview",
        "claimReviewed": "The bridge was closed for a year",
        "datePublished": "0001-01-01",
        "reviewRating": {"alternateName": "False"},
    }
    with pytest.raises(ValidationError, match="datePublished: 0001-01-01 is not between 1900-01-01"):
        import_claimreview(review)
    assert not Claim.objects.exists() and not Verdict.objects.exists()


def test_a_claimreview_with_a_date_that_does_not_exist_is_refused_and_nothing_is_imported(db):
    review = {
        "@type": "ClaimReview",
        "claimReviewed": "The bridge was closed in February",
        "datePublished": "2024-02-30T10:00:00Z",
        "reviewRating": {"alternateName": "False"},
    }
    with pytest.raises(ValidationError, match="datePublished: '2024-02-30T10:00:00Z' is not a valid date"):
        import_claimreview(review)
    assert not Claim.objects.filter(text="The bridge was closed in February").exists()
