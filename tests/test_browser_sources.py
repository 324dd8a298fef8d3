"""In a real browser (tests/test_browser.py's Chromium): the source picker of the claim page
suggests names as the journalist types (HTMX fills its <datalist>), and the sources directory
renders (its screenshot, with CLAIMTRACK_UPDATE_SCREENSHOTS=1, is docs/screenshots/sources-directory.png)."""

import pytest

from claims import services
from claims.models import ClaimStatus, Stance
from sources.models import Source
from tests import factories
from tests.test_browser import SCREENSHOTS, browser, log_in, users  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.once, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def newsroom(users):  # noqa: F811 (the fixture imported above)
    journalist, editor = users
    Source.objects.bulk_create([Source(name=f"Outlet {n:05}") for n in range(20_000)], batch_size=2000)
    rudaw = factories.SourceFactory(name="Rudaw", country="IQ", language="ckb")
    mod = factories.SourceFactory(name="Iraq's Ministry of Defence", kind=Source.Kind.OFFICIAL_BODY, country="IQ")
    claim = factories.make_claim(text="The Mosul dam burst", created_by=journalist)
    services.change_status(claim=claim, to_status=ClaimStatus.FALSE, rationale="Site visit.", changed_by=editor)
    factories.make_appearance(claim=claim, source=rudaw, stance=Stance.ASSERTS, recorded_by=journalist)
    factories.make_appearance(claim=claim, source=mod, stance=Stance.DENIES, recorded_by=journalist)
    return claim


def test_source_picker_suggests_names_as_you_type_and_records_on_the_picked_source(newsroom, live_server, browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en")
    page = context.new_page()
    log_in(page, live_server.url, "jo")
    page.goto(f"{live_server.url}{newsroom.get_absolute_url()}")
    form = page.locator("#record-appearance form")
    form.get_by_label("Source", exact=True).press_sequentially("rud", delay=30)
    page.locator("#source-choices option[value='Rudaw']").wait_for(state="attached", timeout=10_000)
    assert page.locator("#source-choices option").count() == 1
    form.get_by_label("Source", exact=True).fill("Rudaw")
    form.get_by_label("Reports", exact=True).check()
    form.get_by_role("button", name="Record appearance").click()
    page.wait_for_load_state()
    assert "Appearance recorded." in page.locator(".messages").inner_text()
    # On the existing source (the test thread runs Playwright's loop: it reads pages, not the database).
    assert page.locator("ol.timeline a", has_text="Rudaw").count() == 2

    page.goto(f"{live_server.url}/sources/?country=IQ")
    rows = page.locator("table.sources tbody tr")
    assert rows.count() == 2
    assert "Rudaw" in rows.nth(1).inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "sources-directory.png"), full_page=True)
    context.close()
