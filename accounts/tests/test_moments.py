"""Dates and times on the pages follow the interface's language (the `when` template builtin)."""

from datetime import datetime, timedelta, timezone

import pytest
from django.template import Context, Template
from django.utils import translation

MOMENT = datetime(2026, 12, 3, 14, 32, tzinfo=timezone(timedelta(hours=3)))


def shown(language):
    with translation.override(language):
        return Template("{{ moment|when }}").render(Context({"moment": MOMENT}))


@pytest.fixture(autouse=True)
def newsroom_time_zone(settings):
    settings.TIME_ZONE = "Asia/Baghdad"


def test_english_keeps_the_compact_form():
    assert shown("en") == "2026-12-03 14:32 +0300"


def test_arabic_names_the_month_in_arabic():
    assert shown("ar") == "3 ديسمبر، 2026 2:32 م +0300"


def test_central_kurdish_names_the_month_in_kurdish():
    text = shown("ckb")
    assert text.startswith("3 ") and text.endswith(" 2026 14:32 +0300")
    assert "December" not in text and "ديسمبر" not in text


def test_an_empty_moment_shows_nothing():
    with translation.override("ar"):
        assert Template("{{ moment|when }}").render(Context({"moment": None})) == ""


@pytest.mark.django_db
def test_the_claim_page_in_arabic_shows_its_dates_in_arabic(client, journalist):
    from accounts.services import set_interface_language
    from tests.factories import make_claim

    claim = make_claim("انسحاب الشرطة الاتحادية من كركوك", first_seen_at=MOMENT)
    set_interface_language(journalist, "ar")
    client.force_login(journalist)
    client.post("/accounts/language/", {"language": "ar", "next": "/"})
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "3 ديسمبر، 2026" in page
