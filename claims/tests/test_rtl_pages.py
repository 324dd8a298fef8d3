"""Pages in a right-to-left language, and text people typed kept inert to bidirectional tricks."""

import re

import pytest
from django.test import Client

from claims import services
from claims.models import Claim, Stance
from tests import factories

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: reverses everything after it, until PDF or the paragraph's end
TRICK = f"Police left Kirkuk {RLO}gnirevoc si nosirrag eht"


def published(claim, editor):
    services.change_status(claim=claim, to_status="false", rationale="Checked.", changed_by=editor)
    services.publish_verdict(claim=claim, rating_name="False", author=editor, summary="لم يحدث أي انسحاب.")
    return claim


@pytest.mark.parametrize("tag", ["ar", "ar-IQ", "AR_iq"])
def test_the_fact_check_page_of_an_arabic_claim_is_arabic_right_to_left_for_an_english_visitor(editor, tag):
    claim = published(factories.make_claim(text="انسحبت الشرطة الاتحادية من كركوك", language=tag), editor)

    response = Client().get(f"/fact-checks/{claim.pk}/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert response["Content-Language"] == "ar"
    assert '<option value="ar" lang="ar" dir="rtl" selected>' in html  # the page's language, activated
    assert isolated(html, "انسحبت الشرطة الاتحادية من كركوك")


def test_the_fact_check_page_of_a_central_kurdish_claim_is_kurdish(editor):
    claim = published(factories.make_claim(text="پۆلیس کەرکووکی بەجێهێشت", language="ckb"), editor)
    html = Client().get(f"/fact-checks/{claim.pk}/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="ckb" dir="rtl">' in html


def test_the_fact_check_page_of_an_english_claim_is_english_for_an_arabic_visitor(editor):
    claim = published(factories.make_claim(language="en"), editor)
    html = Client().get(f"/fact-checks/{claim.pk}/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="en" dir="ltr">' in html


@pytest.mark.parametrize("tag", ["tr", "ku", "fa", "kmr-Latn"])
def test_a_claim_in_a_language_the_interface_does_not_speak_gets_the_visitors_language(editor, tag):
    claim = published(factories.make_claim(language=tag), editor)
    client = Client()
    assert (
        '<html lang="ar" dir="rtl">'
        in client.get(f"/fact-checks/{claim.pk}/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    )
    assert (
        '<html lang="en" dir="ltr">'
        in client.get(f"/fact-checks/{claim.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def test_the_fact_check_page_leaves_the_visitors_language_alone_afterwards(editor):
    claim = published(factories.make_claim(language="ar"), editor)
    client = Client()
    client.get(f"/fact-checks/{claim.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en" dir="ltr">' in client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def isolated(html: str, text: str) -> bool:
    """The text is the whole content of an element that isolates it (dir="auto", CSS unicode-bidi: isolate)."""
    return re.search(r'<(\w+)[^>]* dir="auto"[^>]*>' + re.escape(text) + r"</\1>", html) is not None


def test_a_claim_with_a_right_to_left_override_is_stored_as_typed_and_shown_isolated(as_journalist, editor):
    response = as_journalist.post("/claims/new/", {"text": TRICK, "places": "Kirkuk"})
    assert response.status_code == 302, response.content.decode()[:500]
    claim = Claim.objects.get()

    assert claim.text == TRICK  # never altered: the override character is kept
    detail = as_journalist.get(f"/claims/{claim.pk}/").content.decode()
    assert isolated(detail, TRICK)
    # The page's <title> cannot hold markup: the text is wrapped in FSI … PDI there.
    assert f"<title>\u2068{TRICK}" in detail
    assert isolated(as_journalist.get("/claims/").content.decode(), TRICK)

    published(claim, editor)
    assert isolated(Client().get(f"/fact-checks/{claim.pk}/").content.decode(), TRICK)


def test_a_source_name_and_quote_with_an_override_are_isolated_on_the_timeline_and_source_pages(as_journalist, claim):
    name, quote = f"Outlet {RLO}eman", f"They {RLO}tfel"
    source = factories.SourceFactory(name=name)
    factories.make_appearance(claim=claim, source=source, stance=Stance.ASSERTS, quote=quote)

    timeline = as_journalist.get(f"/claims/{claim.pk}/").content.decode()
    assert isolated(timeline, name) and isolated(timeline, quote)
    assert isolated(as_journalist.get("/sources/").content.decode(), name)
    source_page = as_journalist.get(source.get_absolute_url()).content.decode()
    assert f"<title>\u2068{name}\u2069 · claimtrack</title>" in source_page
