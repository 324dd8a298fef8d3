"""Create the journalist and editor groups with their permissions.

The roles are frozen here as they were when this migration was written (a migration must not change
when claims.roles does); later changes to the roles come with their own migrations."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

JOURNALIST_PERMISSIONS = [
    ("claims", "view_claim"),
    ("claims", "add_claim"),
    ("claims", "change_claim"),
    ("claims", "propose_status_change"),
    ("claims", "review_suggestion"),
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
    ("sources", "view_source"),
    ("sources", "add_source"),
    ("sources", "view_document"),
    ("sources", "add_document"),
    ("sources", "view_documentrevision"),
    ("sources", "view_feed"),
]
EDITOR_PERMISSIONS = JOURNALIST_PERMISSIONS + [
    ("claims", "change_claim_status"),
    ("claims", "publish_verdict"),
    ("claims", "add_statuschange"),
    ("claims", "add_verdict"),
    ("sources", "change_source"),
    ("sources", "change_document"),
    ("sources", "add_feed"),
    ("sources", "change_feed"),
]
ROLE_PERMISSIONS = {"journalist": JOURNALIST_PERMISSIONS, "editor": EDITOR_PERMISSIONS}


def create_role_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(
            [Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in wanted]
        )


def remove_role_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["journalist", "editor"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_initial"),
        ("sources", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
