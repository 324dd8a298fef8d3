"""Who may do what to a claim's record, beyond Django's model permissions. One place for each rule:
views and the admin check it before calling a service; templates get `can_rule` from the view and
ask `may_retract` through the `claim_rules` template filter, whether to offer the action."""

from .models import Appearance, Evidence


def can_rule(user) -> bool:
    """Editors rule on claims: change their status, decide proposals, see the audit trail."""
    return user.has_perm("claims.change_claim_status")


def may_retract(user, item: Appearance | Evidence) -> bool:
    """Journalists retract the appearances and evidence they recorded; editors may retract any."""
    if isinstance(item, Appearance):
        permission, owner_id = "claims.change_appearance", item.recorded_by_id
    else:
        permission, owner_id = "claims.change_evidence", item.uploaded_by_id
    return user.has_perm(permission) and (can_rule(user) or owner_id == user.pk)
