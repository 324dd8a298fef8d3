"""factory-boy factories for the whole domain. Claims and appearances are built through the
services, as the product builds them, so tests never see a state the product cannot reach."""

import itertools

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from claims import roles, services
from claims.models import Stance
from sources.models import Document, DocumentRevision, Feed, FeedEntry, Source
from sources.services import content_sha256


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@newsroom.example")
    password = factory.django.Password("correct-horse-battery-staple")


class JournalistFactory(UserFactory):
    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        if create:
            user.groups.add(roles.get_role_group(roles.JOURNALIST))


class EditorFactory(UserFactory):
    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        if create:
            user.groups.add(roles.get_role_group(roles.EDITOR))


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    name = factory.Sequence(lambda n: f"Source {n}")
    kind = Source.Kind.NEWS_OUTLET


class FeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feed

    source = factory.SubFactory(SourceFactory)
    url = factory.Sequence(lambda n: f"https://feeds.example.org/{n}.xml")


class FeedEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedEntry

    feed = factory.SubFactory(FeedFactory)
    url = factory.Sequence(lambda n: f"https://news.example.org/items/{n}")


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    source = factory.SubFactory(SourceFactory)
    url = factory.Sequence(lambda n: f"https://news.example.org/articles/{n}")
    canonical_url = factory.LazyAttribute(lambda d: d.url)
    title = factory.Sequence(lambda n: f"Article {n}")


class DocumentRevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentRevision

    document = factory.SubFactory(DocumentFactory)
    title = factory.LazyAttribute(lambda r: r.document.title)
    text = factory.Sequence(lambda n: f"Body text number {n}.")
    content_sha256 = factory.LazyAttribute(lambda r: content_sha256(r.title, r.text))


def make_claim(text="Federal police withdrew from Kirkuk", created_by=None, **kwargs):
    return services.create_claim(text=text, created_by=created_by or JournalistFactory(), **kwargs)


def make_appearance(claim=None, source=None, stance=Stance.ASSERTS, recorded_by=None, **kwargs):
    claim = claim or make_claim()
    return services.record_appearance(
        claim=claim,
        source=source or SourceFactory(),
        stance=stance,
        recorded_by=recorded_by or JournalistFactory(),
        seen_at=kwargs.pop("seen_at", timezone.now()),
        **kwargs,
    )


def make_partner(name="Partner Newsroom"):
    from partners import services as partner_services

    return partner_services.get_or_create_partner(name=name)[0]


def make_api_key(scope="read", partner=None, revoked=False):
    """A partner API key; returns (stored key, plain key)."""
    from partners import services as partner_services

    api_key, plain = partner_services.create_api_key(partner=partner or make_partner(), scope=scope)
    if revoked:
        partner_services.revoke_api_key(api_key=api_key)
    return api_key, plain


# The smallest valid PNG (1×1, transparent) and a minimal PDF header, for evidence uploads.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def make_suggestion(claim=None, source=None, document=None, stance=Stance.ASSERTS, **kwargs):
    """A pending appearance as ingestion proposes it."""
    from claims.models import Appearance

    source = source or (document.source if document else SourceFactory())
    return make_appearance(
        claim=claim,
        source=source,
        document=document,
        stance=stance,
        origin=Appearance.Origin.SUGGESTED,
        confidence=kwargs.pop("confidence", 0.8),
        **kwargs,
    )


def make_evidence(claim=None, appearance=None, content=PNG_BYTES, content_type="image/png", uploaded_by=None, **kwargs):
    return services.attach_evidence(
        content=content,
        content_type=content_type,
        uploaded_by=uploaded_by or JournalistFactory(),
        claim=claim,
        appearance=appearance,
        **kwargs,
    )


_article_numbers = itertools.count(1)


def ingest_article(*, title, text, source=None, url=None, published_at=None):
    """Store an article as ingestion does (document by canonical URL, then a revision). Returns the
    revision; matching runs on commit (use django_capture_on_commit_callbacks(execute=True))."""
    from sources.services import get_or_create_document, record_revision

    source = source or SourceFactory()
    document, _created = get_or_create_document(
        url=url or f"https://news.example.org/ingested/{next(_article_numbers)}",
        source=source,
        title=title,
        published_at=published_at,
    )
    return record_revision(document=document, title=title, text=text)


def outbound_response(body=b"<html><body><p>Preserved.</p></body></html>", *, url=None, status=200, headers=None):
    """A claimtrack.outbound response as the fetch returns it (headers in the server's order)."""
    import httpx

    from claimtrack.outbound import OutboundResponse

    if isinstance(body, str):
        body = body.encode()
    headers = headers if headers is not None else [("Content-Type", "text/html; charset=utf-8")]
    return OutboundResponse(
        url=url or f"https://news.example.org/preserved/{next(_article_numbers)}",
        status_code=status,
        headers=httpx.Headers(headers),
        content=body,
    )


def make_snapshot(document=None, body=b"<html><body><p>Preserved.</p></body></html>", **response_options):
    """A preserved snapshot of a page (sources.snapshots.store_snapshot), taken on demand."""
    from sources import snapshots

    document = document or DocumentFactory()
    response = outbound_response(body, url=response_options.pop("url", document.url), **response_options)
    return snapshots.store_snapshot(response=response, document=document, on_demand=True)
