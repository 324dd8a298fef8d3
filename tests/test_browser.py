"""In a real browser (Debian's Chromium driven by Playwright) against a live server: a journalist
logs a claim and three appearances, an editor rules on it, and the timeline tells the story in
order. With CLAIMTRACK_UPDATE_SCREENSHOTS=1 it saves the screenshots shown in README.md."""

import os
import tempfile
import zoneinfo
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings

from tests import factories
from tests.services import chromium_path

pytestmark = [pytest.mark.browser, pytest.mark.once, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-staple"
# The README's screenshots are rewritten only when asked (their dates are relative, so every run
# would change them); otherwise they go to a throwaway folder, still proving the pages render.
SCREENSHOTS = (
    Path(__file__).resolve().parents[1] / "docs" / "screenshots"
    if os.environ.get("CLAIMTRACK_UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "claimtrack-screenshots"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture
def browser(users):
    # Playwright's sync API runs an event loop on this thread, so the test itself touches the
    # database only before the browser starts (the users) and otherwise checks the pages.
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def users(db):
    return factories.JournalistFactory(username="jo"), factories.EditorFactory(username="ed")


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/claims/")


def record_appearance(page, *, source, kind, stance, quote, seen_at, url="", document_kind="article"):
    form = page.locator("#record-appearance form")
    if url:
        form.get_by_label("Document address (URL)").fill(url)
        form.get_by_label("Document kind").select_option(document_kind)
    form.get_by_label("New source name").fill(source)
    form.get_by_label("New source kind").select_option(kind)
    form.get_by_label(stance, exact=True).check()
    form.get_by_label("Quote").fill(quote)
    form.get_by_label("Seen at").fill(seen_at)
    form.get_by_role("button", name="Record appearance").click()
    page.wait_for_load_state()
    assert "Appearance recorded." in page.locator(".messages").inner_text()


def newsroom_time(days_ago: int, hour: int, minute: int = 0) -> datetime:
    """A time of day some days ago, in the newsroom's time zone (what the form fields take)."""
    today = datetime.now(zoneinfo.ZoneInfo(settings.NEWSROOM_TIME_ZONE))
    return (today - timedelta(days=days_ago)).replace(hour=hour, minute=minute, second=0, microsecond=0)


def field_value(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M")


def test_journalist_logs_a_claim_and_an_editor_rules_on_it(users, live_server, browser):
    base = live_server.url
    first_seen, local_media_at = newsroom_time(2, 9), newsroom_time(2, 9, 30)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en")
    page = context.new_page()

    # The journalist logs the claim...
    log_in(page, base, "jo")
    page.get_by_role("link", name="Log a new claim").click()
    page.get_by_label("Claim", exact=True).fill("Iraq's federal police withdrew from Kirkuk ahead of an IS attack.")
    page.get_by_label("Tags").fill("kirkuk, security")
    page.get_by_label("First seen").fill(field_value(first_seen))
    page.get_by_role("button", name="Check for similar claims and save").click()
    page.wait_for_url(f"{base}/claims/*/")
    claim_url = page.url
    assert page.locator("#current-status").inner_text() == "Unverified"

    # ...and records three appearances, one of them an official denial.
    record_appearance(
        page,
        source="Local media",
        kind="news_outlet",
        stance="Asserts",
        quote="Federal police pulled out.",
        seen_at=field_value(local_media_at),
    )
    record_appearance(
        page,
        source="Social media posts",
        kind="social_account",
        stance="Asserts",
        quote="Photos show empty military sites.",
        seen_at=field_value(newsroom_time(2, 13)),
    )
    record_appearance(
        page,
        source="Iraq's Ministry of Defence",
        kind="official_body",
        stance="Denies",
        quote="The security forces are continuing their normal duties, and there is no withdrawal.",
        seen_at=field_value(newsroom_time(1, 10)),
        url="https://mod.example.invalid/statements/kirkuk",
        document_kind="official_statement",
    )

    # A journalist has no status control, and a forged request is refused.
    assert page.locator("#change-status").count() == 0
    assert page.locator("#publish-verdict").count() == 0
    token = page.locator("#propose-status input[name=csrfmiddlewaretoken]").input_value()
    forged = page.request.post(
        f"{claim_url}status/",
        form={
            "csrfmiddlewaretoken": token,
            "to_status": "false",
            "rationale": "Forged",
            "expected_status": "unverified",
        },
    )
    assert forged.status == 403
    page.reload()
    assert page.locator("#current-status").inner_text() == "Unverified"
    page.get_by_role("button", name="Log out jo").click()

    # The editor changes the status with a rationale and publishes a verdict.
    log_in(page, base, "ed")
    page.goto(claim_url)
    status_form = page.locator("#change-status form")
    status_form.get_by_label("New status").select_option("disputed")
    status_form.get_by_label("Rationale").fill("The Ministry of Defence denies it in an official statement.")
    status_form.get_by_role("button", name="Change status").click()
    page.wait_for_load_state()
    assert page.locator("#current-status").inner_text() == "Disputed"
    verdict_form = page.locator("#publish-verdict form")
    verdict_form.get_by_label("Rating").select_option("Unproven")
    verdict_form.get_by_label("Verdict summary").fill("No independent evidence of a withdrawal.")
    verdict_form.get_by_role("button", name="Publish verdict").click()
    page.wait_for_load_state()

    # The timeline shows the events in order, the official denial standing out.
    events = page.locator("ol.timeline > li")
    kinds = [cls.split()[1] for cls in events.evaluate_all("items => items.map(i => i.className)")]
    assert kinds == [
        "event-status_change",
        "event-appearance",
        "event-appearance",
        "event-appearance",
        "event-status_change",
        "event-verdict",
    ]
    texts = events.all_inner_texts()
    assert "Local media" in texts[1] and "Social media posts" in texts[2]
    assert "Official statement" in texts[3] and "Denies" in texts[3]
    assert "official" in events.nth(3).get_attribute("class")
    assert "The Ministry of Defence denies it" in texts[4]
    assert "Unproven" in texts[5]
    # Times are shown in the newsroom's time zone with its offset.
    assert texts[1].startswith(local_media_at.strftime("%Y-%m-%d %H:%M %z"))
    # Each event has a permalink that lands on it.
    anchor = events.nth(3).get_attribute("id")
    assert events.nth(3).locator("a.permalink").get_attribute("href").endswith(f"#{anchor}")
    assert page.locator("svg[role=img] .band-disputed").count() == 1

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "claim-page.png"), full_page=True)
    page.goto(f"{base}/claims/")
    assert page.locator("table.claims tbody tr").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "claim-list.png"), full_page=True)
    context.close()


@pytest.fixture
def existing_claim(users):
    return factories.make_claim(text="Federal police withdrew from Kirkuk Province", created_by=users[0])


def test_similar_claims_appear_while_typing_a_new_one(users, existing_claim, live_server, browser):
    # The vendored HTMX asks the server for similar claims as the journalist types.
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server.url, "jo")
    page.goto(f"{live_server.url}/claims/new/")
    page.get_by_label("Claim", exact=True).press_sequentially("Police withdrew from Kirkuk", delay=20)
    similar = page.locator("#similar-claims .similar")
    similar.wait_for(timeout=10_000)
    assert "Federal police withdrew from Kirkuk Province" in similar.inner_text()
    context.close()
