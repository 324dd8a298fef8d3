"""Who may do what through the API. The API has two kinds of caller:

- a newsroom user's session (journalists and editors), judged by their Django permissions;
- an API client (`APIClient`: a partner's key, authenticated by partners.authentication), which
  reads what is published and, with write scope, submits; never more.

So:
- reading published data: any API client, or a session with claims.view_claim;
- submitting claims and appearances: a write-scope client, or a session with the view's
  `add_permission` (add_claim / add_appearance);
- status changes and verdicts: editor sessions only (never a key).
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission


class APIClient:
    """The authenticated principal of a request made with an API key: a partner newsroom, not a
    user. partners.authentication returns one; the rules here only need what this class says."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    # Set by the authenticating app: the partner (partners.Partner) and whether its key may write.
    partner = None
    can_write = False

    def has_perm(self, perm, obj=None) -> bool:
        return False


def api_client(request) -> APIClient | None:
    """The API client making the request, or None for a session (or nobody)."""
    return request.user if isinstance(request.user, APIClient) else None


def _is_authenticated(request) -> bool:
    return bool(request.user and request.user.is_authenticated)


def _unsupported(request, view) -> bool:
    """A method the view does not have: let it through, so the view answers 405 (after 401)."""
    return request.method not in view.allowed_methods


def _session_has(request, perm: str) -> bool:
    user = request.user
    return bool(user and user.is_authenticated and not isinstance(user, APIClient) and user.has_perm(perm))


class CanReadPublished(BasePermission):
    message = "Reading the API needs a partner API key or a newsroom account."

    def has_permission(self, request, view):
        if not _is_authenticated(request):
            return False
        if _unsupported(request, view):
            return True
        if request.method not in SAFE_METHODS:
            return False
        return api_client(request) is not None or _session_has(request, "claims.view_claim")


class CanReadOrSubmit(BasePermission):
    """GET for readers; POST for write keys and newsroom users with `add_permission`. Subclass it
    per kind of item, naming the permission."""

    message = "Submitting needs a write-scope API key or a newsroom account that may add this."
    add_permission = ""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or _unsupported(request, view):
            return CanReadPublished().has_permission(request, view)
        client = api_client(request)
        if client is not None:
            return client.can_write
        return _session_has(request, self.add_permission)


class IsAPIClient(BasePermission):
    message = "This belongs to partners: use a partner API key."

    def has_permission(self, request, view):
        if _is_authenticated(request) and _unsupported(request, view):
            return True
        return api_client(request) is not None


class IsEditorSession(BasePermission):
    """A newsroom session holding `perm`; subclass it naming the permission."""

    message = "Only an editor, logged in to the newsroom site, may do this."
    perm = "claims.change_claim_status"

    def has_permission(self, request, view):
        if _is_authenticated(request) and _unsupported(request, view):
            return True
        return _session_has(request, self.perm)
