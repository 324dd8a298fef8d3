"""Partners, keys and webhooks are written in the admin through partners.services."""

import pytest
from django.test import Client

from partners import services
from partners.models import Partner, PartnerAPIKey, Webhook
from tests import factories

pytestmark = pytest.mark.django_db


def test_adding_a_partner_refuses_a_taken_name(admin_client):
    factories.make_partner(name="Rudaw")
    response = admin_client.post("/admin/partners/partner/add/", {"name": " Rudaw "})
    assert response.status_code == 200
    assert "already a partner" in " ".join(response.context["adminform"].form.errors["name"])
    assert Partner.objects.count() == 1


def test_a_key_added_in_the_admin_is_shown_once_and_works_with_its_scope(admin_client):
    partner = factories.make_partner(name="Rudaw")
    response = admin_client.post(
        "/admin/partners/partnerapikey/add/",
        {"partner": partner.pk, "scope": "read", "name": "Rudaw read"},
        follow=True,
    )
    assert response.status_code == 200
    api_key = PartnerAPIKey.objects.get()
    (message,) = [str(m) for m in response.context["messages"] if "cannot be shown again" in str(m)]
    plain = message.split("is: ")[1].split(". ")[0]
    assert (api_key.partner, api_key.scope) == (partner, "read")
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    assert client.get("/api/v1/claims/").status_code == 200


def test_revoking_keys_in_the_admin_records_when(admin_client):
    api_key, plain = factories.make_api_key("read")
    response = admin_client.post(
        f"/admin/partners/partnerapikey/{api_key.pk}/change/", {"name": api_key.name, "revoked": "on", "scope": "write"}
    )
    assert response.status_code == 302
    api_key.refresh_from_db()
    assert (api_key.revoked, api_key.scope) == (False, "read")  # neither is changed by the form

    admin_client.post("/admin/partners/partnerapikey/", {"action": "revoke_selected", "_selected_action": [api_key.pk]})
    api_key.refresh_from_db()
    assert api_key.revoked and api_key.revoked_at is not None
    assert Client(HTTP_AUTHORIZATION=f"Api-Key {plain}").get("/api/v1/claims/").status_code == 401


def test_webhooks_are_not_added_in_the_admin_and_are_deactivated_through_the_service(admin_client):
    webhook = services.register_webhook(partner=factories.make_partner(), url="https://93.184.215.14/hook")
    assert admin_client.get("/admin/partners/webhook/add/").status_code == 403
    admin_client.post("/admin/partners/webhook/", {"action": "deactivate_selected", "_selected_action": [webhook.pk]})
    webhook.refresh_from_db()
    assert not webhook.active and webhook.deactivated_at is not None
    assert Webhook.objects.count() == 1
