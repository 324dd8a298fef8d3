"""The newsroom roles, as Django groups, and the permissions each holds.

Journalists log claims, sources, documents, appearances and evidence, retract what they recorded,
review pending appearances (ingestion's suggestions, partners' submissions) and propose status
changes. Editors do all of that and also rule: change status, publish verdicts, manage feeds.
"""

JOURNALIST = "journalist"
EDITOR = "editor"

JOURNALIST_PERMISSIONS = [
    ("claims", "view_claim"),
    ("claims", "add_claim"),
    ("claims", "change_claim"),
    ("claims", "propose_status_change"),
    ("claims", "review_appearance"),
    ("claims", "view_appearance"),
    ("claims", "add_appearance"),
    ("claims", "change_appearance"),
    ("claims", "view_evidence"),
    ("claims", "add_evidence"),
    ("claims", "change_evidence"),
    ("claims", "view_statuschange"),
    ("claims", "view_verdict"),
    ("claims", "view_tag"),
    ("claims", "add_tag"),
    ("claims", "view_note"),
    ("claims", "add_note"),
    ("claims", "add_mergeproposal"),
    ("claims", "view_assignment"),
    ("claims", "add_assignment"),
    ("sources", "view_source"),
    ("sources", "add_source"),
    ("sources", "view_document"),
    ("sources", "add_document"),
    ("sources", "view_documentrevision"),
    ("sources", "view_feed"),
    ("sources", "change_source"),
]

EDITOR_PERMISSIONS = JOURNALIST_PERMISSIONS + [
    ("claims", "change_claim_status"),
    ("claims", "publish_verdict"),
    ("claims", "add_statuschange"),
    ("claims", "add_verdict"),
    ("claims", "merge_claims"),
    ("sources", "change_source_kind"),
    ("sources", "merge_sources"),
    ("sources", "change_document"),
    ("sources", "add_feed"),
    ("sources", "change_feed"),
]

ROLE_PERMISSIONS = {JOURNALIST: JOURNALIST_PERMISSIONS, EDITOR: EDITOR_PERMISSIONS}


def sync_role_groups(group_model, permission_model):
    """Create the role groups and give each exactly its permissions. Safe to run again."""
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=role)
        permissions = []
        for app_label, codename in wanted:
            permissions.append(permission_model.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(permissions)


def get_role_group(name):
    """The role's group, recreated with its permissions if it is missing (a flushed database)."""
    from django.contrib.auth.models import Group, Permission

    if not Group.objects.filter(name=name).exists():
        sync_role_groups(Group, Permission)
    return Group.objects.get(name=name)
