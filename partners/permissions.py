"""Who may do what through the API.

- reading published data: any partner key (read or write scope), or a newsroom user's session
  with the claims.view_claim permission (journalists and editors);
- submitting claims and appearances: a write-scope key, or a session with add_claim /
  add_appearance;
- status changes and verdicts: editor sessions only (never a key);
- webhooks: partner keys only, each partner seeing its own.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .authentication import PartnerClient


def partner_key(request):
    return request.user.api_key if isinstance(request.user, PartnerClient) else None


def _is_authenticated(request) -> bool:
    return bool(request.user and request.user.is_authenticated)


def _unsupported(request, view) -> bool:
    """A method the view does not have: let it through, so the view answers 405 (after 401)."""
    return request.method not in view.allowed_methods


def _session_has(request, perm: str) -> bool:
    user = request.user
    return bool(user and user.is_authenticated and not isinstance(user, PartnerClient) and user.has_perm(perm))


class CanReadPublished(BasePermission):
    message = "Reading the API needs a partner API key or a newsroom account."

    def has_permission(self, request, view):
        if not _is_authenticated(request):
            return False
        if _unsupported(request, view):
            return True
        if request.method not in SAFE_METHODS:
            return False
        return partner_key(request) is not None or _session_has(request, "claims.view_claim")


class CanReadOrSubmit(BasePermission):
    """GET for readers; POST for write keys and newsroom users who may add this kind of item."""

    message = "Submitting needs a write-scope API key or a newsroom account that may add this."

    def __init__(self, add_permission: str):
        self.add_permission = add_permission

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or _unsupported(request, view):
            return CanReadPublished().has_permission(request, view)
        key = partner_key(request)
        if key is not None:
            return key.can_write
        return _session_has(request, self.add_permission)


def can_read_or_submit(add_permission: str):
    """A permission class for view.permission_classes (DRF instantiates classes itself)."""

    class _Permission(CanReadOrSubmit):
        def __init__(self):
            super().__init__(add_permission)

    _Permission.__name__ = f"CanReadOrSubmit[{add_permission}]"
    return _Permission


class IsEditorSession(BasePermission):
    message = "Only an editor, logged in to the newsroom site, may do this."

    def __init__(self, perm: str = "claims.change_claim_status"):
        self.perm = perm

    def has_permission(self, request, view):
        if _is_authenticated(request) and _unsupported(request, view):
            return True
        return _session_has(request, self.perm)


class MayChangeStatus(IsEditorSession):
    def __init__(self):
        super().__init__("claims.change_claim_status")


class MayPublishVerdict(IsEditorSession):
    def __init__(self):
        super().__init__("claims.publish_verdict")


class IsPartner(BasePermission):
    message = "Webhooks belong to partners: use a partner API key."

    def has_permission(self, request, view):
        if _is_authenticated(request) and _unsupported(request, view):
            return True
        return partner_key(request) is not None
