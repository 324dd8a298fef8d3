"""factory-boy factories for the whole domain. Claims and appearances are built through the
services, as the product builds them, so tests never see a state the product cannot reach."""

import itertools

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from claims import roles, services
from claims.models import Stance
from sources.models import Document, DocumentRevision, Feed, Source
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
