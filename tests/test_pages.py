"""The demo's first minute: the claim page and the admin are served."""

import io

import pytest
from django.core.management import call_command

from claims.demo import demo_password

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("loaddemo", stdout=io.StringIO())


def log_in(client, username):
    # Through the login page: django-axes needs the request, which client.login() does not pass.
    response = client.post("/accounts/login/", {"username": username, "password": demo_password(username)})
    assert response.status_code == 302, response.content.decode()[:500]


def test_claim_pages_require_login(client, demo):
    response = client.get("/claims/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_journalist_reads_the_demo_claim_and_its_timeline(client, demo):
    log_in(client, "journalist")
    listing = client.get("/claims/")
    assert "federal police withdrew from Kirkuk" in listing.content.decode()
    from claims.models import Claim

    page = client.get(f"/claims/{Claim.objects.get().pk}/").content.decode()
    assert "fabricated" in page
    assert "Disputed" in page
    assert "Unproven" in page
    assert page.index("Local media") < page.index("Iraq&#x27;s Ministry of Defence")


def test_admin_serves_claims_to_the_demo_admin(client, demo):
    log_in(client, "admin")
    assert client.get("/admin/").status_code == 200
    changelist = client.get("/admin/claims/claim/")
    assert changelist.status_code == 200
    assert "Kirkuk" in changelist.content.decode()


def test_admin_shows_the_outbox_and_webhook_deliveries_read_only(client, demo):
    from outbox.models import OutboxMessage
    from partners import services as partner_services
    from partners.models import WebhookDelivery

    webhook = partner_services.register_webhook(
        partner=partner_services.get_or_create_partner(name="P")[0], url="https://93.184.215.14/hook"
    )
    delivery = WebhookDelivery.objects.create(webhook=webhook, event_id="e1", event_type="t", payload={})
    message = OutboxMessage.objects.create(task_name="claims.tasks.refresh_stance_counts", args=[1], kwargs={})
    log_in(client, "admin")
    for model, pk in [("partners/webhookdelivery", delivery.pk), ("outbox/outboxmessage", message.pk)]:
        assert client.get(f"/admin/{model}/").status_code == 200
        page = client.get(f"/admin/{model}/{pk}/change/")
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
        assert client.get(f"/admin/{model}/add/").status_code == 403
        assert client.get(f"/admin/{model}/{pk}/delete/").status_code == 403


def test_newcomer_reads_the_demo_picture_adds_an_appearance_and_the_editor_rules(client, demo):
    from claims.models import Claim

    claim = Claim.objects.get()
    log_in(client, "journalist")
    listing = client.get("/claims/", {"q": "Kirkuk"}).content.decode()
    assert claim.get_absolute_url() in listing
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "<svg" in page and "band-disputed" in page
    assert "Official statement" in page
    response = client.post(
        f"{claim.get_absolute_url()}appearances/new/",
        {"source": claim.appearances.first().source_id, "stance": "asserts", "quote": "Still empty on Sunday."},
    )
    assert response.status_code == 302
    client.post("/accounts/logout/")
    log_in(client, "editor")
    response = client.post(
        f"{claim.get_absolute_url()}status/",
        {"to_status": "unproven", "rationale": "Nothing verified since.", "expected_status": "disputed"},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "unproven"


def test_missing_claim_is_not_found(client, demo):
    log_in(client, "journalist")
    assert client.get("/claims/999999/").status_code == 404
