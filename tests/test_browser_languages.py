"""In real Chromium (Playwright) against a live server: a journalist switches the interface to
Arabic, which stays with her account, logs an Arabic claim and finds it again by another alef form
and with an attached prefix; the page is right to left. With CLAIMTRACK_UPDATE_SCREENSHOTS=1 it
saves the Arabic claim page shown in README.md."""

import pytest

# The browser and users fixtures are test_browser's, imported so pytest finds them here.
from tests.test_browser import SCREENSHOTS, browser, log_in, users  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.once, pytest.mark.django_db(transaction=True)]

CLAIM = "انسحاب الشرطة الاتحادية من كركوك قبل هجوم متوقع"
SUMMARY = "صور على مواقع التواصل أظهرت نقاط تفتيش خالية؛ وزارة الدفاع وصفت الأنباء بأنها مفبركة."


def switch_language(page, code):
    page.locator("#interface-language").select_option(code)
    page.locator("form.language-switcher button[type=submit]").click()
    page.wait_for_load_state()


def test_a_journalist_works_in_arabic_right_to_left_and_finds_her_claim_by_another_spelling(
    users,  # noqa: F811
    live_server,
    browser,  # noqa: F811
):
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en")
    page = context.new_page()
    log_in(page, base, "jo")
    assert page.locator("html").get_attribute("dir") == "ltr"

    switch_language(page, "ar")
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"

    # Logging the claim, every label in Arabic; the fields are found by name.
    page.goto(f"{base}/claims/new/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.locator("textarea[name=text]").fill(CLAIM)
    page.locator("[name=summary]").fill(SUMMARY)
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_url(f"{base}/claims/*/")
    claim_url = page.url
    assert page.locator("h1").first.inner_text() == CLAIM
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "claim-page-arabic.png"), full_page=True)

    # Another alef form (إ for ا) and a word carrying the conjunction and the article (والشرطة).
    page.goto(f"{base}/claims/")
    page.locator("input[name=q]").fill("إنسحاب والشرطة")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_load_state()
    assert "q=" in page.url
    links = page.locator(f"a[href='{claim_url.removeprefix(base)}']")
    assert links.count() >= 1
    assert page.locator("html").get_attribute("dir") == "rtl"

    # The choice is kept with the account: another browser, logged in afresh, is in Arabic too.
    other = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en")
    second = other.new_page()
    log_in(second, base, "jo")
    assert second.locator("html").get_attribute("lang") == "ar"
    switch_language(second, "en")
    assert second.locator("html").get_attribute("dir") == "ltr"
    other.close()
    context.close()
