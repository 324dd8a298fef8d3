"""The claim's clock: first appearance, first denial, first official statement, first status change
and first verdict, kept on the claim row by the writing services."""

import importlib
import zoneinfo
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims import services
from claims.clock import human_duration
from claims.models import CLOCK_FIELDS, Appearance, Claim, ClaimStatus, Stance
from tests.factories import DocumentFactory, EditorFactory, SourceFactory, make_appearance, make_claim, make_suggestion

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0) - timedelta(days=3)


def _clock(claim):
    claim = Claim.objects.get(pk=claim.pk)
    return (
        claim.first_appearance_at,
        claim.first_denial_at,
        claim.first_official_at,
        claim.first_status_change_at,
        claim.first_verdict_at,
    )


def test_a_new_claim_has_an_empty_clock(claim):
    assert _clock(claim) == (None, None, None, None, None)
    assert claim.time_to_first_denial is None and claim.time_to_verdict is None


def test_recording_appearances_sets_first_appearance_denial_and_official(claim):
    make_appearance(claim=claim, stance=Stance.ASSERTS, seen_at=T0 + timedelta(hours=2))
    make_appearance(claim=claim, stance=Stance.ASSERTS, seen_at=T0)
    make_appearance(claim=claim, stance=Stance.DENIES, seen_at=T0 + timedelta(hours=3, minutes=20))
    ministry = SourceFactory(kind="official_body")
    make_appearance(claim=claim, source=ministry, stance=Stance.REPORTS, seen_at=T0 + timedelta(hours=5))
    statement = DocumentFactory(kind="official_statement")
    make_appearance(
        claim=claim, source=statement.source, document=statement, stance=Stance.DENIES, seen_at=T0 + timedelta(hours=4)
    )

    first_appearance, first_denial, first_official, _, _ = _clock(claim)
    assert first_appearance == T0
    assert first_denial == T0 + timedelta(hours=3, minutes=20)
    assert first_official == T0 + timedelta(hours=4)
    claim.refresh_from_db()
    assert claim.time_to_first_denial == timedelta(hours=3, minutes=20)


def test_a_pending_suggestion_does_not_start_the_clock_until_accepted(claim, journalist):
    suggestion = make_suggestion(claim=claim, stance=Stance.DENIES, seen_at=T0)
    assert _clock(claim)[:2] == (None, None)

    services.accept_pending_appearance(appearance=suggestion, reviewed_by=journalist)
    assert _clock(claim)[:2] == (T0, T0)


def test_retracting_the_first_denial_moves_the_clock_to_the_next(claim, journalist):
    make_appearance(claim=claim, stance=Stance.ASSERTS, seen_at=T0)
    early = make_appearance(claim=claim, stance=Stance.DENIES, seen_at=T0 + timedelta(hours=1))
    make_appearance(claim=claim, stance=Stance.DENIES, seen_at=T0 + timedelta(hours=6))

    services.retract_appearance(appearance=early, retracted_by=journalist, reason="Misread the article")
    assert _clock(claim)[1] == T0 + timedelta(hours=6)


def test_a_superseded_appearance_still_counts_for_the_clock(claim):
    old = make_appearance(claim=claim, stance=Stance.DENIES, seen_at=T0)
    Appearance.objects.filter(pk=old.pk).update(superseded_at=T0 + timedelta(days=1))
    services.recompute_stance_counts(claim_id=claim.pk)

    claim.refresh_from_db()
    assert claim.denies_count == 0  # no longer counted among the stances
    assert (claim.first_appearance_at, claim.first_denial_at) == (T0, T0)  # but the source said it then


def test_status_change_sets_the_first_status_change_but_not_the_logging(claim, editor):
    assert _clock(claim)[3] is None  # the "unverified" row written when the claim was logged
    at = T0 + timedelta(hours=1)
    services.change_status(
        claim=claim, to_status=ClaimStatus.UNDER_REVIEW, rationale="On it", changed_by=editor, changed_at=at
    )
    services.change_status(
        claim=claim, to_status=ClaimStatus.FALSE, rationale="Denied", changed_by=editor, changed_at=at + timedelta(1)
    )
    assert _clock(claim)[3] == at


def test_time_to_verdict_runs_from_first_appearance_to_first_published_verdict(claim, editor):
    make_appearance(claim=claim, seen_at=T0)
    services.publish_verdict(claim=claim, rating_name="False", author=editor, published_at=T0 + timedelta(days=1))
    services.publish_verdict(claim=claim, rating_name="True", author=editor, published_at=T0 + timedelta(days=2))

    claim.refresh_from_db()
    assert claim.first_verdict_at == T0 + timedelta(days=1)
    assert claim.time_to_verdict == timedelta(days=1)


def test_merge_moves_the_clock_of_the_absorbed_claims_appearances_to_the_survivor(journalist):
    editor = EditorFactory()
    survivor, duplicate = (
        make_claim(created_by=journalist),
        make_claim(text="Police left Kirkuk", created_by=journalist),
    )
    make_appearance(claim=survivor, stance=Stance.ASSERTS, seen_at=T0 + timedelta(hours=5))
    make_appearance(claim=duplicate, stance=Stance.ASSERTS, seen_at=T0)
    make_appearance(claim=duplicate, stance=Stance.DENIES, seen_at=T0 + timedelta(hours=2))
    services.publish_verdict(claim=duplicate, rating_name="False", author=editor, published_at=T0 + timedelta(hours=9))

    services.merge_claims(
        absorbed=duplicate, into=survivor, merged_by=editor, reason="Same rumour", keep_verdict_of="absorbed"
    )

    first_appearance, first_denial, _, _, first_verdict = _clock(survivor)
    assert (first_appearance, first_denial) == (T0, T0 + timedelta(hours=2))
    assert first_verdict is not None  # the absorbed claim's verdict, published again on the survivor
    assert _clock(duplicate)[:2] == (None, None)  # its appearances moved


def test_a_stale_claim_instance_saved_later_keeps_the_clock(claim):
    stale = Claim.objects.get(pk=claim.pk)
    make_appearance(claim=claim, stance=Stance.DENIES, seen_at=T0)
    stale.summary = "New summary"
    stale.save()
    assert _clock(claim)[:2] == (T0, T0)


def test_the_clock_costs_one_query_whatever_the_number_of_appearances(claim, django_assert_num_queries):
    for hour in range(5):
        make_appearance(claim=claim, seen_at=T0 + timedelta(hours=hour))
    with django_assert_num_queries(1):
        services._recompute_clocks([claim.pk])


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (timedelta(hours=3, minutes=20), "3 h 20 min"),
        (timedelta(hours=3), "3 h"),
        (timedelta(minutes=45, seconds=30), "45 min"),
        (timedelta(seconds=20), "under a minute"),
        (timedelta(days=2, hours=4, minutes=10), "2 d 4 h"),
        (timedelta(days=1), "1 d"),
        (None, ""),
    ],
)
def test_durations_read_as_people_write_them(duration, text):
    assert human_duration(duration) == text


def _denied_after_3_h_20_min(journalist):
    claim = make_claim(created_by=journalist, first_seen_at=T0 - timedelta(days=1))
    make_appearance(claim=claim, stance=Stance.ASSERTS, seen_at=T0)
    make_appearance(claim=claim, stance=Stance.DENIES, seen_at=T0 + timedelta(hours=3, minutes=20))
    return claim


def test_editor_sees_time_to_first_denial_on_claim_page(as_editor, journalist):
    claim = _denied_after_3_h_20_min(journalist)
    page = as_editor.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert 'id="clock-time-to-first-denial">3 h 20 min<' in page
    # In the newsroom's time zone (Asia/Baghdad, +0300), as the rest of the page.
    local = T0.astimezone(zoneinfo.ZoneInfo(settings.NEWSROOM_TIME_ZONE))
    assert local.strftime("%Y-%m-%d %H:%M +0300") in page
    assert "no verdict yet" in page


def test_the_live_fragment_carries_the_clock(as_journalist, journalist):
    claim = _denied_after_3_h_20_min(journalist)
    fragment = as_journalist.get(reverse("claims:live", args=[claim.pk])).content.decode()
    assert 'id="claim-clock"' in fragment and "3 h 20 min" in fragment


def test_editor_sees_time_to_first_denial_on_the_desk(as_editor, journalist):
    _denied_after_3_h_20_min(journalist)
    page = as_editor.get(reverse("claims:desk")).content.decode()
    assert "first denial after 3 h 20 min" in page


def test_the_claim_page_clock_costs_no_query_per_appearance(as_editor, journalist):
    claim = _denied_after_3_h_20_min(journalist)
    url = reverse("claims:detail", args=[claim.pk])
    with CaptureQueriesContext(connection) as few:
        as_editor.get(url)
    for hour in range(6):
        make_appearance(claim=claim, stance=Stance.DENIES, seen_at=T0 + timedelta(hours=5 + hour))
    with CaptureQueriesContext(connection) as many:
        as_editor.get(url)
    assert len(many) == len(few)


def test_the_api_claim_detail_has_the_clock_in_seconds(as_journalist, journalist, editor):
    claim = _denied_after_3_h_20_min(journalist)
    services.publish_verdict(claim=claim, rating_name="False", author=editor, published_at=T0 + timedelta(days=1))

    clock = as_journalist.get(reverse("api:claim-detail", args=[claim.pk])).json()["clock"]
    assert clock["first_appearance_at"] == T0.isoformat().replace("+00:00", "Z")
    assert clock["time_to_first_denial_seconds"] == 3 * 3600 + 20 * 60
    assert clock["time_to_verdict_seconds"] == 24 * 3600
    assert clock["first_official_at"] is None and clock["first_status_change_at"] is None


def test_the_backfill_migration_sets_the_same_clock_as_the_services(journalist, editor, monkeypatch):
    from django.apps import apps

    backfill = importlib.import_module("claims.migrations.0021_claim_clock")
    monkeypatch.setattr(backfill, "BATCH", 2)  # several batches
    claims = [_denied_after_3_h_20_min(journalist) for _n in range(3)]
    ministry = SourceFactory(kind="official_body")
    make_appearance(claim=claims[0], source=ministry, stance=Stance.REPORTS, seen_at=T0 + timedelta(hours=1))
    services.change_status(claim=claims[1], to_status=ClaimStatus.FALSE, rationale="No", changed_by=editor)
    services.publish_verdict(claim=claims[2], rating_name="False", author=editor, published_at=T0 + timedelta(days=1))
    expected = [_clock(claim) for claim in claims]
    Claim.objects.update(**dict.fromkeys(CLOCK_FIELDS))

    backfill.backfill_clocks(apps, None)

    assert [_clock(claim) for claim in claims] == expected
    assert expected[0][2] == T0 + timedelta(hours=1) and expected[1][3] is not None and expected[2][4] is not None
