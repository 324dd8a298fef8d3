"""The teamwork permissions go to the roles (frozen here, as 0002 does), and existing claims get
updated_at = created_at, since nothing edited them before update_claim existed."""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import F

ADDED = {
    "journalist": [
        ("claims", "view_note"),
        ("claims", "add_note"),
        ("claims", "add_mergeproposal"),
        ("claims", "view_assignment"),
        ("claims", "add_assignment"),
        ("sources", "change_source"),
    ],
    "editor": [
        ("claims", "view_note"),
        ("claims", "add_note"),
        ("claims", "add_mergeproposal"),
        ("claims", "view_assignment"),
        ("claims", "add_assignment"),
        ("claims", "merge_claims"),
        ("sources", "change_source_kind"),
        ("sources", "merge_sources"),
    ],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    for role, wanted in ADDED.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *[Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in wanted]
        )
    apps.get_model("claims", "Claim").objects.update(updated_at=F("created_at"))


def revoke(apps, schema_editor):
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    for role, wanted in ADDED.items():
        group = Group.objects.filter(name=role).first()
        if group is None:
            continue
        for app, codename in wanted:
            group.permissions.remove(*Permission.objects.filter(content_type__app_label=app, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0012_teamwork"),
        ("sources", "0007_teamwork"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
