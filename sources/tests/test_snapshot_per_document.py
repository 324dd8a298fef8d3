"""A snapshot is deduplicated per document: another page serving the same bytes keeps its own address."""

import pytest
from django.db import transaction

from sources import snapshots
from sources.services import record_revision
from tests import factories

pytestmark = pytest.mark.django_db

BODY = b"<html><body><p>Subscribe to continue reading.</p></body></html>"


def _revision_with_snapshot(document, body):
    response = factories.outbound_response(body, url=document.url)
    with snapshots.preserving(response) as pending, transaction.atomic():
        revision = record_revision(document=document, title=document.title, text=f"Text of {document.url}")
        pending.attach(revision)
    revision.refresh_from_db()
    return revision


def test_a_revision_of_another_document_with_the_same_body_is_preserved_with_its_own_address():
    # Two articles behind the same paywall / consent page / soft 404: byte-identical bodies.
    first = factories.DocumentFactory(url="https://news.example.org/a")
    second = factories.DocumentFactory(url="https://other.example.net/b")
    _revision_with_snapshot(first, BODY)

    revision = _revision_with_snapshot(second, BODY)

    assert revision.snapshot.url == second.url
    assert revision.snapshot.document_id == second.pk
