"""Plumbing shared by every endpoint of the REST API (/api/): errors, pagination, conditional GET,
OpenAPI extras and the URL map. The endpoints themselves live with their domain
(claims/api/, sources/api/, partners/api/)."""
