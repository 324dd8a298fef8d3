"""The claim list and the claim page run a fixed number of queries, however many rows or
events they show."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import selectors, services
from claims.models import ClaimStatus, Stance
from sources.models import Document
from tests import factories

pytestmark = pytest.mark.django_db

# Every request: session, user, permissions (2), the session's new expiry (idle timeout:
# an UPDATE inside a savepoint, 3 queries in a test), and the header's unread notifications count.
PER_REQUEST = 8
# Paginator count, claims, tags, filter choices (tags, sources).
CLAIM_LIST_QUERIES = PER_REQUEST + 6
# Claim (+ tags, verdicts), timeline (8, edits of the claim included), page extras (2), source
# choices, the ClaimReview JSON-LD's published appearances (3: the earliest, the claim's author,
# its first appearance); notes (+ their mentions) and
# assignments (3), the assign form's newsroom users (1); the merge form: pending merge proposals,
# similar claims offered as candidates (2); whether the user follows the claim (1);
# for editors the audit trail (7); which appearances the timeline shows (3) and the chart's
# aggregate (1).
CLAIM_PAGE_QUERIES = PER_REQUEST + 16 + 4 + 2 + 1 + 7 + 3 + 1

STATUSES = [ClaimStatus.UNDER_REVIEW, ClaimStatus.DISPUTED, ClaimStatus.UNPROVEN, ClaimStatus.FALSE]
START = datetime(2026, 1, 1, tzinfo=UTC)


def build_claims(count, journalist):
    for n in range(count):
        claim = factories.make_claim(text=f"Claim number {n} about Kirkuk", tags=[f"tag{n % 7}"], created_by=journalist)
        factories.make_appearance(claim=claim, recorded_by=journalist)


def build_events(claim, count, editor, journalist):
    """`count` timeline events of every kind: appearances (with documents, evidence, retractions),
    status changes, verdicts and document rewrites."""
    made = 1  # the claim's first status change
    n = 0
    while made < count:
        at = START + timedelta(minutes=n)
        kind = n % 10
        if kind == 7:
            services.change_status(
                claim=claim,
                to_status=STATUSES[(n // 10) % 4],
                rationale=f"Ruling {n}",
                changed_by=editor,
                changed_at=at,
            )
        elif kind == 8:
            services.publish_verdict(claim=claim, rating_name="Mixed", author=editor, published_at=at)
        else:
            document = factories.DocumentFactory(kind=Document.Kind.OFFICIAL_STATEMENT if kind == 3 else "article")
            appearance = factories.make_appearance(
                claim=claim,
                source=document.source,
                document=document,
                stance=[Stance.ASSERTS, Stance.DENIES, Stance.REPORTS][kind % 3],
                recorded_by=journalist,
                seen_at=at,
            )
            if kind == 1:
                factories.make_evidence(appearance=appearance, uploaded_by=journalist)
            if kind == 2:
                services.retract_appearance(appearance=appearance, retracted_by=editor, reason="Duplicate")
        made += 1
        n += 1


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("rows", [1, 200])
def test_claim_list_runs_a_fixed_number_of_queries(client, journalist, rows, django_assert_max_num_queries):
    build_claims(rows, journalist)
    client.force_login(journalist)
    with django_assert_max_num_queries(CLAIM_LIST_QUERIES):
        response = client.get("/claims/", {"q": "Kirkuk", "tag": "tag1"} if rows > 1 else {})
    assert response.status_code == 200
    with django_assert_max_num_queries(CLAIM_LIST_QUERIES):
        assert client.get("/claims/").status_code == 200


@pytest.mark.parametrize("events", [1, 200])
def test_claim_page_runs_a_fixed_number_of_queries(client, editor, journalist, events, django_assert_max_num_queries):
    claim = factories.make_claim(created_by=journalist)
    build_events(claim, events, editor, journalist)
    services.propose_status_change(claim=claim, to_status=ClaimStatus.CONFIRMED, rationale="x", proposed_by=journalist)
    factories.make_evidence(claim=claim, uploaded_by=journalist)
    for user in (journalist, editor):
        client.force_login(user)
        with django_assert_max_num_queries(CLAIM_PAGE_QUERIES):
            window = client.get(claim.get_absolute_url())
        with django_assert_max_num_queries(CLAIM_PAGE_QUERIES):
            everything = client.get(claim.get_absolute_url(), {"timeline": "all"})
        assert everything.content.decode().count('class="permalink"') == events
        shown = window.content.decode().count('class="permalink"')
        assert shown == events if events <= selectors.TIMELINE_APPEARANCES_SHOWN else shown < events


def test_claim_page_queries_do_not_grow_with_events(client, editor, journalist):
    small, large = factories.make_claim(text="Small claim"), factories.make_claim(text="Large claim")
    build_events(small, 2, editor, journalist)
    build_events(large, 60, editor, journalist)
    client.force_login(editor)
    assert count_queries(client, small.get_absolute_url()) == count_queries(client, large.get_absolute_url())


def test_public_fact_check_page_queries_do_not_grow_with_appearances(client, editor, journalist):
    small, large = factories.make_claim(text="Small claim"), factories.make_claim(text="Large claim")
    build_events(small, 2, editor, journalist)
    build_events(large, 60, editor, journalist)
    for claim in (small, large):
        services.publish_verdict(claim=claim, rating_name="False", author=editor)
    anonymous = client
    assert count_queries(anonymous, f"/fact-checks/{small.pk}/") == count_queries(
        anonymous, f"/fact-checks/{large.pk}/"
    )
