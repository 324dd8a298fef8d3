"""schema.org ClaimReview: the one builder of our JSON-LD (used by the API and the claim page), and
the import of other fact-checkers' ClaimReview JSON-LD (`manage.py import_claimreview`).

Export mapping:
- `claimReviewed`: the claim's text; `url`: where the public reads the verdict (`claimreview_url`:
  the public fact-check page, or the newsroom's own article); `datePublished`: the verdict's time;
  `author`: our organisation (settings.CLAIMTRACK_ORGANISATION);
- `reviewRating`: the verdict's value on the configured scale, with `alternateName` the rating's
  name ("Unproven", "False", …) and `reviewBody` the verdict's summary when there is one;
- `itemReviewed`: a Claim whose `author` is the first source that asserted it. Its appearances
  come from the record, so no one types them: `appearance` lists the earliest
  CLAIMREVIEW_APPEARANCES published appearances with a document that assert or report it (a denial
  is not an appearance of the claim) and still stand (one superseded by a story change is what a
  rewritten article no longer says), each a CreativeWork with the document's url, datePublished
  (the document's publication time, else when it was seen) and author (the source);
  `firstAppearance` is the earliest asserting one with a document (superseded or not: it is where
  the claim first appeared), else the earliest reporting one.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.encoding import iri_to_uri

from claimtrack.lib import dates
from claimtrack.lib.text import storable_text
from sources.models import Source
from sources.services import get_or_create_document, get_or_create_source

from . import ratings, services
from .models import Appearance, Claim, Stance, Verdict

SCHEMA_CONTEXT = "https://schema.org"
# A claim that spread through a thousand articles is still one review: its JSON-LD (embedded in the
# fact-check page, served by the API) lists where it first appeared, not every repetition.
CLAIMREVIEW_APPEARANCES = 100


def _person_or_organisation(source: Source) -> dict:
    kind = "Person" if source.kind == Source.Kind.INDIVIDUAL else "Organization"
    node = {"@type": kind, "name": source.name}
    if source.homepage:
        node["url"] = source.homepage
    return node


def _creative_work(appearance: Appearance) -> dict:
    """An appearance with a document as the CreativeWork the claim appeared in."""
    document = appearance.document
    work = {
        "@type": "CreativeWork",
        "url": document.url,
        "datePublished": (document.published_at or appearance.seen_at).isoformat(),
        "author": _person_or_organisation(appearance.source),
    }
    if document.title:
        work["headline"] = document.title
    return work


def claimreview_url(claim: Claim, request) -> str:
    """The public address of the claim's review. The claim page is for the newsroom (it needs a
    login), so ClaimReview points to the public fact-check page, or to the newsroom's own article
    when settings.CLAIMTRACK_CLAIMREVIEW_URL gives a template."""
    template = settings.CLAIMTRACK_CLAIMREVIEW_URL
    if template:
        # Slugs may be Arabic or Kurdish: percent-encode them, as a URI must be.
        return iri_to_uri(template.format(id=claim.pk, slug=claim.slug))
    return request.build_absolute_uri(reverse("claims:fact-check", args=[claim.pk]))


def claimreview_jsonld(*, claim: Claim, verdict: Verdict, appearances, claim_url: str) -> dict:
    """The ClaimReview of a claim's verdict. `appearances`: the claim's published appearances
    (accepted, unretracted, with source and document loaded) in time order, or at least those
    selectors.claimreview_appearances reads."""
    spreading = [a for a in appearances if a.stance in (Stance.ASSERTS, Stance.REPORTS) and a.retracted_at is None]
    asserting = [a for a in spreading if a.stance == Stance.ASSERTS]
    in_documents = [a for a in spreading if a.document_id is not None]
    first = next((a for a in in_documents if a.stance == Stance.ASSERTS), in_documents[0] if in_documents else None)
    standing = [a for a in in_documents if a.superseded_at is None]
    item_reviewed = {"@type": "Claim"}
    if asserting:
        item_reviewed["author"] = _person_or_organisation(asserting[0].source)
        item_reviewed["datePublished"] = asserting[0].seen_at.isoformat()
    if first is not None:
        item_reviewed["firstAppearance"] = _creative_work(first)
    if standing:
        item_reviewed["appearance"] = [_creative_work(a) for a in standing[:CLAIMREVIEW_APPEARANCES]]
    organisation = settings.CLAIMTRACK_ORGANISATION
    review = {
        "@context": SCHEMA_CONTEXT,
        "@type": "ClaimReview",
        "url": claim_url,
        "claimReviewed": claim.text,
        "datePublished": verdict.published_at.isoformat(),
        "author": {"@type": "Organization", "name": organisation["name"], "url": organisation["url"]},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": verdict.rating_value,
            "bestRating": verdict.best_rating,
            "worstRating": verdict.worst_rating,
            "alternateName": verdict.rating_name,
        },
        "itemReviewed": item_reviewed,
    }
    if claim.language:
        review["inLanguage"] = claim.language
        item_reviewed["inLanguage"] = claim.language
    # The same claim in other languages: each wording a translation of the claim reviewed.
    wordings = getattr(claim, "standing_wordings", None)
    if wordings is None:
        wordings = claim.wordings.filter(retracted_at__isnull=True).order_by("created_at", "id")
    translations = [{"@type": "Claim", "inLanguage": w.language, "text": w.text} for w in wordings]
    if translations:
        item_reviewed["workTranslation"] = translations
    if verdict.summary:
        review["reviewBody"] = verdict.summary
    return review


def jsonld_script(data: dict) -> str:
    """The JSON-LD as the text of a <script> element: `<`, `>` and `&` escaped so no string in it
    can close the element."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# Import ---------------------------------------------------------------------------------------


class _JSONLDScripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        if tag == "script" and (dict(attrs).get("type") or "").strip().lower() == "application/ld+json":
            self._inside = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.scripts[-1] += data


def _nodes(data) -> list:
    """Every JSON object in a JSON-LD document: a single node, a list, or an @graph."""
    if isinstance(data, list):
        return [node for item in data for node in _nodes(item)]
    if isinstance(data, dict):
        if "@graph" in data:
            return _nodes(data["@graph"])
        return [data]
    return []


def parse_claimreviews(text: str) -> list[dict]:
    """The ClaimReview objects in a JSON-LD document or in an HTML page's ld+json scripts."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        documents = [stripped]
    else:
        parser = _JSONLDScripts()
        parser.feed(text)
        documents = parser.scripts
    reviews = []
    for document in documents:
        try:
            data = json.loads(document)
            nodes = _nodes(data)
        except json.JSONDecodeError as error:
            raise ValidationError(f"Not valid JSON-LD: {error}") from None
        except RecursionError:
            raise ValidationError("Not valid JSON-LD: nested too deeply.") from None
        for node in nodes:
            types = node.get("@type")
            types = types if isinstance(types, list) else [types]
            if "ClaimReview" in types:
                reviews.append(node)
    return reviews


class _BadDate(ValueError):
    pass


def _when(value) -> datetime | None:
    """The time a ClaimReview date names (None when absent); _BadDate when it names none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise _BadDate(f"{value!r} is not a date")
    try:
        moment = parse_datetime(value.strip())
        if moment is None and (day := parse_date(value.strip()[:10])) is not None:
            moment = datetime(day.year, day.month, day.day)
        if moment is not None and moment.tzinfo is None:
            from django.utils import timezone

            moment = timezone.make_aware(moment, timezone.get_default_timezone())
        if moment is not None:
            moment.astimezone(UTC)  # a time whose UTC form is outside years 1–9999 cannot be stored
    except (ValueError, OverflowError):
        raise _BadDate(f"{value[:40]!r} is not a valid date") from None
    if moment is None:
        raise _BadDate(f"{value[:40]!r} is not a date (ISO 8601 expected)")
    if not dates.in_range(moment):
        # Stored, a date outside the range (year 1, 9999-12-31, the future) would break pages and exports.
        raise _BadDate(f"{value.strip()[:40]} is not {dates.range_description()}")
    return moment


def _object(review: dict, key: str, errors: list[str]) -> dict:
    value = review.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.append(f"{key} must be an object")
        return {}
    return value


def _text(container: dict, key: str, limit: int, errors: list[str], *, label: str | None = None) -> str:
    """The text at `key` (storable, stripped), "" when absent; a wrong type or too long is an error."""
    value = container.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.append(f"{label or key} must be text")
        return ""
    value = storable_text(value).strip()
    if len(value) > limit:
        errors.append(f"{label or key} is {len(value)} characters long; at most {limit} are accepted")
    return value


def _date(container: dict, key: str, errors: list[str], *, label: str) -> datetime | None:
    try:
        return _when(container.get(key))
    except _BadDate as error:
        errors.append(f"{label}: {error}")
        return None


def import_user():
    """The account imported verdicts are attributed to: inactive, no password, created once."""
    user, _created = get_user_model().objects.get_or_create(
        username="claimreview-import", defaults={"is_active": False, "email": ""}
    )
    return user


@dataclass
class _Checked:
    text: str
    rating_name: str
    language: str
    summary: str
    first_seen: datetime | None
    published_at: datetime | None
    author_name: str
    author_kind: str
    appearance_url: str


def _checked(review) -> _Checked:
    """Every field the import uses, checked before anything is stored: one ValidationError that
    lists all that is wrong with the item (a wrong JSON type, an over-long text, a bad date)."""
    if not isinstance(review, dict):
        raise ValidationError("A ClaimReview must be a JSON object.")
    errors = []
    text = _text(review, "claimReviewed", Claim._meta.get_field("text").max_length, errors)
    if not text and not errors:
        errors.append("A ClaimReview needs claimReviewed (the text of the claim).")
    rating = _object(review, "reviewRating", errors)
    rating_name = _text(rating, "alternateName", Verdict._meta.get_field("rating_name").max_length, errors,
                        label="reviewRating.alternateName")  # fmt: skip
    if not rating_name and not any(e.startswith("reviewRating") for e in errors):
        errors.append("A ClaimReview needs reviewRating.alternateName to map to our rating scale.")
    item = _object(review, "itemReviewed", errors)
    author = _object(item, "author", errors) if item else {}
    appearance = item.get("firstAppearance") or item.get("appearance")
    if isinstance(appearance, list):
        appearance = appearance[0] if appearance else None
    appearance = appearance if isinstance(appearance, dict) else {}
    checked = _Checked(
        text=text,
        rating_name=rating_name,
        language=_text(review, "inLanguage", Claim._meta.get_field("language").max_length, errors),
        summary=_text(review, "reviewBody", Verdict._meta.get_field("summary").max_length, errors),
        first_seen=_date(item, "datePublished", errors, label="itemReviewed.datePublished")
        or _date(review, "datePublished", errors, label="datePublished"),
        published_at=_date(review, "datePublished", errors, label="datePublished"),
        author_name=_text(
            author, "name", Source._meta.get_field("name").max_length, errors, label="itemReviewed.author.name"
        ),  # fmt: skip
        author_kind=Source.Kind.INDIVIDUAL if author.get("@type") == "Person" else Source.Kind.ORGANISATION,
        appearance_url=_text(appearance, "url", 2000, errors, label="itemReviewed.appearance.url"),
    )
    if errors:
        raise ValidationError(sorted(set(errors)))
    return checked


@transaction.atomic
def import_claimreview(review: dict, *, imported_by=None) -> tuple[Claim, bool]:
    """Create the claim a ClaimReview is about, its first appearance and the verdict. A claim whose
    text is already tracked is left as it is (importing twice changes nothing). Returns the claim
    and whether it was created. A ClaimReview that is not valid is refused whole (ValidationError):
    nothing of it is stored."""
    checked = _checked(review)
    existing = Claim.objects.filter(text=checked.text).first()
    if existing is not None:
        return existing, False
    ratings.rating_for_name(checked.rating_name)  # refuse before creating anything
    imported_by = imported_by or import_user()
    claim = services.create_claim(
        text=checked.text, created_by=imported_by, language=checked.language, first_seen_at=checked.first_seen
    )
    if checked.author_name:
        source, _created = get_or_create_source(name=checked.author_name, kind=checked.author_kind)
        document = None
        if checked.appearance_url:
            document, _created = get_or_create_document(url=checked.appearance_url, source=source)
            if document.source_id != source.pk:
                document = None
        services.record_appearance(
            claim=claim,
            source=source,
            document=document,
            stance=Stance.ASSERTS,
            seen_at=checked.first_seen,
            recorded_by=imported_by,
        )
    services.publish_verdict(
        claim=claim,
        rating_name=checked.rating_name,
        author=imported_by,
        summary=checked.summary,
        published_at=checked.published_at,
    )
    return claim, True
