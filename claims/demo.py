"""The demo story: Kurdistan 24's report "Iraq denies troops withdrawal from Kirkuk amid reports of
IS attack" (2018), written out as data so the project does not depend on files outside it.

One claim, four voices: local media and social media posts assert it on the Friday, Iraq's
Ministry of Defence denies it on the Saturday in an official statement ("fabricated"), and
Kurdistan 24 reports it while unable to verify. The report gives the days, not the dates or the
hours: the dates below are a Friday and Saturday of 2018 chosen for the demo, the hours are
illustrative, and the document addresses are on the reserved .invalid domain because the demo
does not claim to know the original URLs.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from sources.models import Document, Source
from sources.services import get_or_create_document, get_or_create_source, record_revision

from . import roles, services
from .models import Claim, ClaimStatus, Stance

FRIDAY = datetime(2018, 6, 8, tzinfo=UTC)
SATURDAY = datetime(2018, 6, 9, tzinfo=UTC)


def _at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return day.replace(hour=hour, minute=minute)


CLAIM_SLUG = "iraq-federal-police-withdrew-from-kirkuk"
CLAIM_TEXT = "Iraq's federal police withdrew from Kirkuk Province ahead of an imminent IS attack."
CLAIM_SUMMARY = (
    "Local media and social media posts said federal police stationed in Kirkuk Province pulled out "
    "amid reports of an imminent Islamic State attack; photos showed military sites void of troops."
)

K24_TITLE = "Iraq denies troops withdrawal from Kirkuk amid reports of IS attack"
K24_TEXT = """Iraq's Defense Ministry on Saturday denied reports that its federal police forces had withdrawn from the oil-rich Kirkuk Province.

ERBIL, Kurdistan Region (Kurdistan 24) – Iraq’s Defense Ministry on Saturday denied reports that its federal police forces had withdrawn from the oil-rich Kirkuk Province.

Local media reports on Friday said federal police, who have been stationed to protect the province from terror, mainly from the Islamic State (IS), pulled out from the region amid reports of an imminent IS attack.

Photos and rumors circulated on social media showed alleged military sites in Kirkuk void of any Iraqi troops presence.

Kurdistan 24 was unable to verify the reports or images independently.

In an official statement, however, the Defense Ministry labeled the allegations “fabricated,” adding that security forces have not left their stations.

“Some social networking sites spread rumors and fabricated news about the withdrawal of the federal police and the rest of the security forces with them from the province of Kirkuk,” the statement read.

“The security forces are continuing their normal duties, and there is no withdrawal,” it added.

Since last October’s military takeover of Kirkuk and other disputed territories by Iraqi forces and Iranian-backed Shia Hashd al-Shaabi militias, the security situation in the region has deteriorated.

Countless unclaimed kidnappings, bombings, and assassinations continue to occur in the province despite the presence of Iraqi troops.

The oil-rich province was previously under the protection of Kurdish Peshmerga forces when the Iraqi army collapsed following IS’ emergence in 2014.

However, following an independence referendum last September, Baghdad led an offensive into the province and regained control, displacing thousands of people, mainly Kurds.

Kirkuk, long considered a symbol of coexistence before October’s assault, is home to a mixture of Kurds, Arabs, Turkmen, and Christians."""

MOD_TITLE = "Statement of the Ministry of Defence on Kirkuk"
MOD_TEXT = (
    "Some social networking sites spread rumors and fabricated news about the withdrawal of the federal "
    "police and the rest of the security forces with them from the province of Kirkuk. The security forces "
    "are continuing their normal duties, and there is no withdrawal."
)

SOURCES = {
    "local": {"name": "Local media", "kind": Source.Kind.NEWS_OUTLET, "country": "IQ"},
    "social": {"name": "Social media posts", "kind": Source.Kind.SOCIAL_ACCOUNT, "country": "IQ"},
    "k24": {
        "name": "Kurdistan 24",
        "kind": Source.Kind.NEWS_OUTLET,
        "country": "IQ",
        "language": "en",
        "homepage": "https://www.kurdistan24.net/",
    },
    "mod": {"name": "Iraq's Ministry of Defence", "kind": Source.Kind.OFFICIAL_BODY, "country": "IQ", "language": "ar"},
    # Kurdistan 24 publishes in Sorani Kurdish too: its Kurdish-language service, registered so a
    # new user finds a source in Arabic script (no appearance: the report quoted is the English one).
    "k24_ckb": {
        "name": "کوردستان ٢٤",
        "kind": Source.Kind.NEWS_OUTLET,
        "country": "IQ",
        "language": "ckb",
        "homepage": "https://www.kurdistan24.net/ckb/",
    },
}

# The claim in Arabic, the language of the ministry's statement: the newsroom's own translation.
CLAIM_ARABIC_WORDING = "انسحاب الشرطة الاتحادية من محافظة كركوك"

DOCUMENTS = {
    "k24": {
        "source": "k24",
        "url": "https://kurdistan24.demo.invalid/en/news/iraq-denies-troops-withdrawal-from-kirkuk",
        "kind": Document.Kind.ARTICLE,
        "title": K24_TITLE,
        "text": K24_TEXT,
        "language": "en",
        "published_at": _at(SATURDAY, 15, 0),
    },
    "mod": {
        "source": "mod",
        "url": "https://mod-iraq.demo.invalid/statements/kirkuk-federal-police",
        "kind": Document.Kind.OFFICIAL_STATEMENT,
        "title": MOD_TITLE,
        "text": MOD_TEXT,
        "language": "ar",
        "published_at": _at(SATURDAY, 10, 0),
    },
}

APPEARANCES = [
    {
        "source": "local",
        "stance": Stance.ASSERTS,
        "seen_at": _at(FRIDAY, 9, 30),
        "quote": "Federal police, who have been stationed to protect the province from terror, mainly from the "
        "Islamic State (IS), pulled out from the region amid reports of an imminent IS attack.",
    },
    {
        "source": "social",
        "stance": Stance.ASSERTS,
        "seen_at": _at(FRIDAY, 13, 0),
        "quote": "Photos and rumors circulated on social media showed alleged military sites in Kirkuk void of "
        "any Iraqi troops presence.",
    },
    {
        "source": "mod",
        "document": "mod",
        "stance": Stance.DENIES,
        "seen_at": _at(SATURDAY, 10, 0),
        "quote": "Some social networking sites spread rumors and fabricated news about the withdrawal of the "
        "federal police and the rest of the security forces with them from the province of Kirkuk. "
        "The security forces are continuing their normal duties, and there is no withdrawal.",
    },
    {
        "source": "k24",
        "document": "k24",
        "stance": Stance.REPORTS,
        "seen_at": _at(SATURDAY, 15, 0),
        "quote": "Kurdistan 24 was unable to verify the reports or images independently.",
    },
]

CLAIM_LOGGED_AT = _at(FRIDAY, 9, 45)
DISPUTED_AT = _at(SATURDAY, 11, 0)
DISPUTED_RATIONALE = (
    "Iraq's Ministry of Defence called the reports “fabricated” in an official statement and says the "
    "security forces have not left their stations. Local media and social media posts with photos assert "
    "the withdrawal; the photos are unverified. Kurdistan 24 could not verify the reports or images."
)
VERDICT_AT = _at(SATURDAY, 18, 0)
VERDICT_RATING = "Unproven"
VERDICT_SUMMARY = (
    "No independent evidence of a withdrawal: the photos are unverified and the Ministry of Defence "
    "denies it. Unproven until the sites can be checked."
)


@dataclass
class DemoUser:
    username: str
    role: str
    password: str
    is_staff: bool = False
    is_superuser: bool = False
    # Set by load_demo: an account of that name that existed before (never changed: not its
    # password, flags nor groups), and whether the demo password signs in to it.
    existed: bool = False
    has_demo_password: bool = True


def demo_password(username: str) -> str:
    """Stable for this installation (derived from SECRET_KEY) so loaddemo can print it every time
    without changing it, yet not the same on every installation."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"claimtrack-demo:{username}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:16].lower()


def demo_users() -> list[DemoUser]:
    return [
        DemoUser("journalist", roles.JOURNALIST, demo_password("journalist")),
        DemoUser("editor", roles.EDITOR, demo_password("editor"), is_staff=True),
        DemoUser("admin", roles.EDITOR, demo_password("admin"), is_staff=True, is_superuser=True),
    ]


def _ensure_user(demo: DemoUser):
    """The demo account, created when no user has that name. An existing user of that name (a
    real administrator called "admin", say) is used as it is and never changed."""
    user = get_user_model().objects.filter(username=demo.username).first()
    if user is not None:
        demo.existed = True
        demo.has_demo_password = user.check_password(demo.password)
        return user
    user = get_user_model().objects.create_user(
        username=demo.username,
        password=demo.password,
        email="",
        is_staff=demo.is_staff,
        is_superuser=demo.is_superuser,
    )
    user.groups.add(roles.get_role_group(demo.role))
    return user


@transaction.atomic
def load_demo() -> tuple[Claim, list[DemoUser], bool]:
    """Load the Kirkuk story. Returns the claim, the demo users and whether anything was created;
    a second run finds everything in place and changes nothing."""
    users = demo_users()
    accounts = {demo.username: _ensure_user(demo) for demo in users}
    existing = Claim.objects.filter(slug=CLAIM_SLUG).first()
    if existing is not None:
        # A demo loaded before the wordings existed gets them now; otherwise nothing changes.
        _ensure_other_languages(existing, accounts["journalist"])
        return existing, users, False

    journalist, editor = accounts["journalist"], accounts["editor"]
    sources = {key: get_or_create_source(**fields)[0] for key, fields in SOURCES.items()}
    documents = {}
    for key, fields in DOCUMENTS.items():
        document, created = get_or_create_document(
            url=fields["url"],
            source=sources[fields["source"]],
            kind=fields["kind"],
            title=fields["title"],
            language=fields["language"],
            published_at=fields["published_at"],
            first_seen_at=fields["published_at"],
        )
        if created:
            record_revision(
                document=document, title=fields["title"], text=fields["text"], fetched_at=fields["published_at"]
            )
        documents[key] = document

    claim = services.create_claim(
        text=CLAIM_TEXT,
        slug=CLAIM_SLUG,
        summary=CLAIM_SUMMARY,
        tags=["iraq", "kirkuk", "security"],
        places=["Kirkuk Province", "Iraq"],
        language="en",
        first_seen_at=CLAIM_LOGGED_AT,
        created_by=journalist,
    )
    for fields in APPEARANCES:
        services.record_appearance(
            claim=claim,
            source=sources[fields["source"]],
            document=documents.get(fields.get("document")),
            stance=fields["stance"],
            quote=fields["quote"],
            seen_at=fields["seen_at"],
            recorded_by=journalist,
        )
    services.change_status(
        claim=claim,
        to_status=ClaimStatus.DISPUTED,
        rationale=DISPUTED_RATIONALE,
        changed_by=editor,
        changed_at=DISPUTED_AT,
    )
    services.publish_verdict(
        claim=claim, rating_name=VERDICT_RATING, summary=VERDICT_SUMMARY, author=editor, published_at=VERDICT_AT
    )
    # The counts are also refreshed by a task after commit; compute them now so the demo is
    # complete even before a worker runs.
    services.recompute_stance_counts(claim_id=claim.pk)
    _ensure_other_languages(claim, journalist)
    return claim, users, True


def _ensure_other_languages(claim: Claim, journalist) -> None:
    """The claim's Arabic wording and the Kurdish-language source, each once."""
    services.add_claim_wording(claim_id=claim.pk, text=CLAIM_ARABIC_WORDING, language="ar", added_by=journalist)
    get_or_create_source(**SOURCES["k24_ckb"])
