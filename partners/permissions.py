"""Partner-only parts of the API (webhooks, per-key throttling). The general rules of who may
read and submit are in claimtrack.api.permissions."""

from claimtrack.api.permissions import IsAPIClient, api_client

from .models import PartnerAPIKey


def partner_key(request) -> PartnerAPIKey | None:
    """The partner's API key that authenticated the request, if any."""
    client = api_client(request)
    return client.api_key if client is not None else None


class IsPartner(IsAPIClient):
    message = "Webhooks belong to partners: use a partner API key."
