"""In a real browser (Chromium by Playwright): a claim page open in one journalist's browser shows
what a colleague records in another, without a reload."""

import pytest

from tests import factories
from tests.services import chromium_path
from tests.test_browser import CHROMIUM_ARGS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.once, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def claim_and_browser(db):
    # The database is touched before Playwright's event loop starts on this thread.
    from playwright.sync_api import sync_playwright

    factories.JournalistFactory(username="jo")
    factories.JournalistFactory(username="kai")
    claim = factories.make_claim(text="The Mosul dam has been breached")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield claim.pk, browser
        finally:
            browser.close()


def test_a_colleagues_appearance_appears_on_an_open_claim_page_without_a_reload(claim_and_browser, live_server):
    claim_id, browser = claim_and_browser
    base, url = live_server.url, f"{live_server.url}/claims/{claim_id}/"
    watcher = browser.new_context(locale="en").new_page()
    log_in(watcher, base, "jo")
    watcher.goto(url)
    watcher.evaluate("window.notReloaded = true")
    assert "0 denying" in watcher.locator("#claim-stance-counts").inner_text()

    colleague = browser.new_context(locale="en").new_page()
    log_in(colleague, base, "kai")
    colleague.goto(url)
    form = colleague.locator("#record-appearance form")
    form.get_by_label("New source name").fill("Ministry of Water Resources")
    form.get_by_label("New source kind").select_option("official_body")
    form.get_by_label("Denies", exact=True).check()
    form.get_by_label("Quote").fill("The dam is intact.")
    form.get_by_role("button", name="Record appearance").click()
    colleague.wait_for_load_state()
    assert "Appearance recorded." in colleague.locator(".messages").inner_text()

    watcher.locator("#claim-timeline", has_text="The dam is intact.").wait_for(timeout=10_000)
    assert "1 denying" in watcher.locator("#claim-stance-counts").inner_text()
    assert watcher.evaluate("window.notReloaded") is True  # swapped in, not reloaded


@pytest.fixture
def long_claim_and_browser(db, monkeypatch):
    """A claim of six appearances a timeline window of three shows in part; then the browser."""
    from datetime import timedelta

    from django.utils import timezone
    from playwright.sync_api import sync_playwright

    from claims import selectors

    monkeypatch.setattr(selectors, "TIMELINE_APPEARANCES_SHOWN", 3)
    factories.JournalistFactory(username="jo")
    claim = factories.make_claim(text="The Mosul dam has been breached")
    start = timezone.now() - timedelta(days=2)
    appearances = [
        factories.make_appearance(claim=claim, seen_at=start + timedelta(hours=n), quote=f"Quote {n}") for n in range(6)
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield claim.pk, appearances[0].pk, browser
        finally:
            browser.close()


def test_an_old_link_to_an_appearance_outside_a_long_timeline_still_lands_on_it(long_claim_and_browser, live_server):
    claim_id, oldest_id, browser = long_claim_and_browser
    page = browser.new_context(locale="en").new_page()
    log_in(page, live_server.url, "jo")
    # A link from before the window existed: the fragment alone, which the server never sees.
    page.goto(f"{live_server.url}/claims/{claim_id}/#appearance-{oldest_id}")
    page.wait_for_url(f"**/claims/{claim_id}/?event=appearance-{oldest_id}#appearance-{oldest_id}")
    assert "Quote 0" in page.locator(f"#appearance-{oldest_id}").inner_text()
