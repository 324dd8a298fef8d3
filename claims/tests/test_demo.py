"""`manage.py loaddemo` loads the Kirkuk story, and running it twice changes nothing."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import call_command

from claims.models import Appearance, Claim, ClaimStatus, Evidence, StatusChange, Verdict
from sources.models import Document, DocumentRevision, Source

pytestmark = pytest.mark.django_db

DOMAIN_MODELS = [
    Claim,
    Appearance,
    StatusChange,
    Verdict,
    Evidence,
    Source,
    Document,
    DocumentRevision,
    get_user_model(),
]


def snapshot():
    return {m.__name__: serializers.serialize("json", m.objects.order_by("pk")) for m in DOMAIN_MODELS}


def loaddemo():
    out = io.StringIO()
    call_command("loaddemo", stdout=out)
    return out.getvalue()


def test_loaddemo_loads_the_kirkuk_story():
    output = loaddemo()
    claim = Claim.objects.get()
    assert "federal police withdrew from Kirkuk" in claim.text
    assert claim.status == ClaimStatus.DISPUTED

    voices = {(a.source.name, a.source.kind, a.stance) for a in claim.appearances.select_related("source")}
    assert voices == {
        ("Local media", "news_outlet", "asserts"),
        ("Social media posts", "social_account", "asserts"),
        ("Kurdistan 24", "news_outlet", "reports"),
        ("Iraq's Ministry of Defence", "official_body", "denies"),
    }
    denial = claim.appearances.get(stance="denies")
    assert "fabricated" in denial.quote
    assert denial.document.kind == Document.Kind.OFFICIAL_STATEMENT
    assert denial.seen_at.strftime("%A") == "Saturday"
    assert {a.seen_at.strftime("%A") for a in claim.appearances.filter(stance="asserts")} == {"Friday"}
    assert "unable to verify" in claim.appearances.get(stance="reports").quote

    changes = list(claim.status_changes.order_by("changed_at"))
    assert [(c.to_status, c.changed_at.strftime("%A")) for c in changes] == [
        ("unverified", "Friday"),
        ("disputed", "Saturday"),
    ]
    assert "fabricated" in changes[1].rationale
    assert changes[1].changed_by.groups.filter(name="editor").exists()

    verdict = Verdict.objects.get(claim=claim)
    assert verdict.rating_name == "Unproven"
    assert verdict.author.username == "editor"
    assert (claim.asserts_count, claim.denies_count, claim.reports_count) == (2, 1, 1)

    for username, role in [("journalist", "journalist"), ("editor", "editor")]:
        user = get_user_model().objects.get(username=username)
        assert user.groups.filter(name=role).exists()
        password = next(line.split()[-1] for line in output.splitlines() if line.strip().startswith(username))
        assert user.check_password(password)


def test_running_loaddemo_twice_changes_nothing():
    first_output = loaddemo()
    before = snapshot()
    second_output = loaddemo()
    assert snapshot() == before
    assert "already loaded" in second_output
    # The same credentials are printed again, and still work.
    assert first_output.splitlines()[-3:] == second_output.splitlines()[-3:]


def test_loaddemo_never_changes_an_existing_user_named_like_a_demo_user():
    admin = get_user_model().objects.create_user(username="admin", password="the-real-admins-passphrase")
    editor = get_user_model().objects.create_user(username="editor", password="the-real-editors-passphrase")
    before = {u.username: (u.password, u.is_staff, u.is_superuser) for u in (admin, editor)}
    output = loaddemo()
    after = {u.username: (u.password, u.is_staff, u.is_superuser) for u in get_user_model().objects.all()}
    assert {name: after[name] for name in before} == before
    assert not admin.groups.exists() and not editor.groups.exists()
    assert get_user_model().objects.get(username="admin").check_password("the-real-admins-passphrase")
    lines = {line.split()[0]: line for line in output.splitlines() if line.startswith("  ")}
    assert "already existed: left unchanged" in lines["admin"]
    assert "already existed: left unchanged" in lines["editor"]
    # The absent demo user was created, with the printed password.
    journalist = get_user_model().objects.get(username="journalist")
    assert journalist.check_password(lines["journalist"].split()[-1])


def test_the_demo_speaks_arabic_too_an_arabic_search_finds_the_claim_and_a_kurdish_source_is_there(client):
    from claims.demo import CLAIM_ARABIC_WORDING, CLAIM_SLUG
    from claims.selectors import filtered_claim_list

    call_command("loaddemo", stdout=io.StringIO())
    claim = Claim.objects.get(slug=CLAIM_SLUG)
    [wording] = claim.wordings.all()
    assert (wording.language, wording.text, wording.is_translation) == ("ar", CLAIM_ARABIC_WORDING, True)
    # Another alef form and a prefix, as an Arabic-speaking journalist might type them.
    assert list(filtered_claim_list(query="إنسحاب والشرطة")) == [claim]
    assert Source.objects.filter(language="ckb").exists()
    call_command("loaddemo", stdout=io.StringIO())  # again: nothing added twice
    assert claim.wordings.count() == 1 and Source.objects.filter(language="ckb").count() == 1
