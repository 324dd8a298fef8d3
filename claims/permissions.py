"""Who may do what to a claim's record, beyond Django's model permissions. One place for each rule:
views and the admin check it before calling a service; templates get `can_rule` from the view and
ask `may_retract` through the `claim_rules` template filter, whether to offer the action."""

from .models import Appearance, ClaimWording, Evidence, Note


def can_rule(user) -> bool:
    """Editors rule on claims: change their status, decide proposals, see the audit trail."""
    return user.has_perm("claims.change_claim_status")


def may_retract(user, item: Appearance | ClaimWording | Evidence | Note) -> bool:
    """Journalists retract the appearances, evidence and notes they recorded; editors may retract
    any. (A note is never changed otherwise, so adding notes is the permission that counts.)"""
    if isinstance(item, Appearance):
        permission, owner_id = "claims.change_appearance", item.recorded_by_id
    elif isinstance(item, Note):
        permission, owner_id = "claims.add_note", item.author_id
    elif isinstance(item, ClaimWording):
        permission, owner_id = "claims.change_claim", item.created_by_id
    else:
        permission, owner_id = "claims.change_evidence", item.uploaded_by_id
    return user.has_perm(permission) and (can_rule(user) or owner_id == user.pk)
