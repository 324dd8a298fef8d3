"""In a real browser (Debian's Chromium driven by Playwright), three people on one breaking story,
each in their own browser context: J1 logs a claim, J2 logs the same rumour again and records an
appearance on it, the editor merges the duplicate into J1's claim, J1 sees J2's appearance arrive on
the open page without reloading, J2 mentions J1 in a note and J1's header shows the notification,
an email goes out (Django's locmem backend: tests run tasks eagerly, in the server's process), and
the duplicate's old address redirects to the survivor. With CLAIMTRACK_UPDATE_SCREENSHOTS=1 it
saves the README's screenshots of a claim with notes and of the notifications page."""

import re

import pytest
from django.core import mail

from tests import factories
from tests.services import chromium_path
from tests.test_browser import CHROMIUM_ARGS, SCREENSHOTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.once, pytest.mark.django_db(transaction=True)]

CLAIM_PAGE = re.compile(r"/claims/\d+/$")
RUMOUR = "Federal police withdrew from Kirkuk ahead of an IS attack"


@pytest.fixture
def browser(db):
    # The database is touched before Playwright's event loop starts on this thread; afterwards the
    # test reads pages (and Django's in-memory mail outbox), not the database.
    from playwright.sync_api import sync_playwright

    factories.JournalistFactory(username="rana", email="rana@newsroom.example")
    factories.JournalistFactory(username="omar", email="omar@newsroom.example")
    factories.EditorFactory(username="ed", email="ed@newsroom.example")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def signed_in(browser, base, username):
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en").new_page()
    log_in(page, base, username)
    return page


def log_claim(page, base, text, *, warned_of_similar=False):
    page.goto(f"{base}/claims/new/")
    page.get_by_label("Claim", exact=True).fill(text)
    page.get_by_role("button", name="Check for similar claims and save").click()
    if warned_of_similar:  # J2 is shown J1's claim, and saves anyway: the desk's everyday mistake
        page.get_by_role("button", name="None of these: save as a new claim").click()
    page.wait_for_url(CLAIM_PAGE)
    return page.url


def test_two_journalists_and_an_editor_work_one_story_together(browser, live_server, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    base = live_server.url

    # J1 logs the claim and keeps its page open.
    rana = signed_in(browser, base, "rana")
    survivor_url = log_claim(rana, base, RUMOUR)
    rana.evaluate("window.notReloaded = true")

    # J2 logs the same rumour minutes later and records an official denial on it.
    omar = signed_in(browser, base, "omar")
    duplicate_url = log_claim(omar, base, RUMOUR + ".", warned_of_similar=True)
    assert duplicate_url != survivor_url
    form = omar.locator("#record-appearance form")
    form.get_by_label("New source name").fill("Iraqi Ministry of Defence")
    form.get_by_label("New source kind").select_option("official_body")
    form.get_by_label("Denies", exact=True).check()
    form.get_by_label("Quote").fill("The reports are fabricated.")
    form.get_by_role("button", name="Record appearance").click()
    omar.wait_for_load_state()
    assert "Appearance recorded." in omar.locator(".messages").inner_text()

    # The editor merges the duplicate into J1's claim.
    editor = signed_in(browser, base, "ed")
    editor.goto(duplicate_url)
    merge = editor.locator("#merge-claim form")
    merge.get_by_label("Duplicate of claim").fill(survivor_url)
    merge.get_by_label("Why they are the same claim").fill("The same rumour, logged twice.")
    merge.get_by_role("button").click()
    editor.wait_for_url(survivor_url)

    # J1's open page shows J2's appearance, moved by the merge, without a reload.
    rana.locator("#claim-timeline", has_text="The reports are fabricated.").wait_for(timeout=10_000)
    assert rana.evaluate("window.notReloaded") is True
    assert "1 denying" in rana.locator("#claim-stance-counts").inner_text()

    # The old address of the duplicate redirects to the survivor.
    omar.goto(duplicate_url)
    assert omar.url == survivor_url

    # J2 mentions J1 in a note; J1's header shows the notification, without a reload.
    note = omar.locator("#add-note form")
    note.get_by_label("Note").fill("@rana called the ministry spokesman: it is a denial, see https://mod.mil.iq/")
    note.get_by_role("button").click()
    omar.wait_for_load_state()
    assert "Note added." in omar.locator(".messages").inner_text()
    rana.locator("#notifications-link .unread-count").wait_for(timeout=10_000)
    assert rana.evaluate("window.notReloaded") is True
    assert rana.locator("#claim-timeline a[href='https://mod.mil.iq/']").count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    rana.screenshot(path=str(SCREENSHOTS / "claim-with-notes.png"), full_page=True)

    # ...and an email tells her, sent by the (eager) worker through the outbox.
    mentioned = [message for message in mail.outbox if "rana@newsroom.example" in message.to]
    assert mentioned, [message.to for message in mail.outbox]
    assert any("mentioned" in message.body.lower() for message in mentioned)

    rana.locator("#notifications-link").click()
    rana.wait_for_url(f"{base}/notifications/")
    assert "Mentioned you" in rana.locator("main").inner_text()
    rana.screenshot(path=str(SCREENSHOTS / "notifications.png"), full_page=True)
