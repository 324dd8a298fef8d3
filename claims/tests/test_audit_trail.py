"""Every write by a person, a partner key or a worker is in the audit trail, with its channel."""

import pytest
from django.test import Client

from audit import selectors
from audit.context import Channel, acting_as, name_actor
from claims import selectors as claim_selectors
from claims import services
from claims.models import Appearance, Claim, ClaimStatus
from sources.models import Source
from tests.factories import SourceFactory, make_appearance

pytestmark = pytest.mark.django_db


def test_status_change_is_recorded_with_who_what_and_channel(claim, editor):
    with acting_as(Channel.WEB):
        services.change_status(
            claim=claim, to_status=ClaimStatus.DISPUTED, rationale="Ministry denies", changed_by=editor
        )
    record = Claim.history.filter(id=claim.pk).order_by("history_id").last()
    assert record.history_user == editor
    assert record.history_channel == Channel.WEB
    previous = record.prev_record
    changed = {field: (old, new) for field, old, new in selectors.field_changes(record, previous)}
    assert changed["status"] == (ClaimStatus.UNVERIFIED, ClaimStatus.DISPUTED)


def test_retraction_is_recorded_as_a_change_of_the_appearance(claim, journalist):
    appearance = make_appearance(claim=claim, recorded_by=journalist)
    services.retract_appearance(appearance=appearance, retracted_by=journalist, reason="Wrong source")
    trail = [e for e in claim_selectors.claim_audit_trail(claim) if e.object_label == "appearance"]
    assert [e.action for e in trail] == ["created", "changed"]
    fields = {field for field, _old, _new in trail[-1].changes}
    assert {"retracted_at", "retraction_reason", "retracted_by"} <= fields
    assert trail[-1].who == journalist.username


def test_a_partner_key_is_named_as_the_actor(claim):
    with acting_as(Channel.API):
        name_actor("partner key 1a2b3c (Rudaw)")
        services.record_appearance(
            claim=claim, source=SourceFactory(), stance="asserts", recorded_by=None, origin=Appearance.Origin.PARTNER
        )
    record = Appearance.history.filter(claim_id=claim.pk).last()
    assert (record.history_channel, record.history_actor, record.history_user) == (
        Channel.API,
        "partner key 1a2b3c (Rudaw)",
        None,
    )


def test_worker_writes_are_recorded_as_the_worker(claim):
    # A task run (eagerly here) sets the worker context through Celery's signals.
    source_id = SourceFactory().pk
    with acting_as(Channel.WEB):
        from celery import shared_task

        @shared_task(name="audit.tests.rename_source")
        def rename_source(source_id):
            source = Source.objects.get(pk=source_id)
            source.name = "Renamed by a worker"
            source.save()

        rename_source.apply(args=[source_id])
    record = Source.history.filter(id=source_id).order_by("history_id").last()
    assert record.history_channel == Channel.WORKER
    assert record.history_actor == "task audit.tests.rename_source"


def test_admin_edits_are_recorded_through_the_admin_channel(claim, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@newsroom.example", "a-long-password-1")
    source = SourceFactory(name="Before")
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        f"/admin/sources/source/{source.pk}/change/",
        {
            "kind": source.kind,
            "name": "After",
            "homepage": "",
            "country": "",
            "language": "",
            "feeds-TOTAL_FORMS": "0",
            "feeds-INITIAL_FORMS": "0",
            "feeds-MIN_NUM_FORMS": "0",
            "feeds-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = Source.history.filter(id=source.pk).order_by("history_id").last()
    assert (record.name, record.history_channel, record.history_user) == ("After", Channel.ADMIN, admin_user)


def test_the_trail_cannot_be_edited_or_deleted_in_the_admin(claim, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@newsroom.example", "a-long-password-1")
    client = Client()
    client.force_login(admin_user)
    record = Claim.history.filter(id=claim.pk).first()
    base = "/admin/claims/historicalclaim/"
    assert client.get(base).status_code == 200
    assert client.post(f"{base}{record.pk}/delete/", {"post": "yes"}).status_code in (302, 403)
    assert Claim.history.filter(pk=record.pk).exists()
    client.post(f"{base}{record.pk}/change/", {"text": "rewritten"})
    record.refresh_from_db()
    assert record.text == claim.text


def test_editors_see_the_claims_full_history_on_its_page(client, claim, editor, journalist):
    services.change_status(claim=claim, to_status=ClaimStatus.DISPUTED, rationale="Ministry denies", changed_by=editor)
    client.force_login(editor)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert 'id="audit-trail"' in page
    assert 'unverified</span> <span class="arrow">→</span> <span dir="auto">disputed' in page
    client.force_login(journalist)
    assert 'id="audit-trail"' not in client.get(claim.get_absolute_url()).content.decode()
