"""factory-boy factories for the whole domain. Claims and appearances are built through the
services, as the product builds them, so tests never see a state the product cannot reach."""

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


def make_partner(name="Partner Newsroom"):
    from partners import services as partner_services

    return partner_services.get_or_create_partner(name=name)


def make_api_key(scope="read", partner=None, revoked=False):
    """A partner API key; returns (stored key, plain key)."""
    from partners import services as partner_services

    api_key, plain = partner_services.create_api_key(partner=partner or make_partner(), scope=scope)
    if revoked:
        partner_services.revoke_api_key(api_key=api_key)
    return api_key, plain
