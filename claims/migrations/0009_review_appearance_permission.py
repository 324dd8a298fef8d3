"""The review permission is about every pending appearance (an ingestion suggestion or a partner's
submission), so it is renamed review_suggestion -> review_appearance. The permission row is renamed
in place, so the role groups and any user holding it keep it."""

from django.conf import settings
from django.db import migrations

OLD, NEW = "review_suggestion", "review_appearance"
NEW_NAME = "Can accept or reject a pending appearance (suggested or submitted by a partner)"
OLD_NAME = "Can accept or reject a suggested appearance"


def rename(apps, old, new, name):
    """Rename the permission row; when both rows exist already (permissions created by a run of the
    newer code before this migration), move every grant of the old one to the new one and drop it."""
    Permission = apps.get_model("auth", "Permission")
    old_permission = Permission.objects.filter(content_type__app_label="claims", codename=old).first()
    if old_permission is None:
        return
    new_permission = Permission.objects.filter(content_type__app_label="claims", codename=new).first()
    if new_permission is None:
        Permission.objects.filter(pk=old_permission.pk).update(codename=new, name=name)
        return
    Group = apps.get_model("auth", "Group")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    for through, owner in ((Group.permissions.through, "group_id"), (User.user_permissions.through, "user_id")):
        has_new = through.objects.filter(permission_id=new_permission.pk).values_list(owner, flat=True)
        grants = through.objects.filter(permission_id=old_permission.pk)
        through.objects.bulk_create(
            [through(**{owner: getattr(g, owner), "permission_id": new_permission.pk}) for g in grants.exclude(**{f"{owner}__in": list(has_new)})]
        )
        grants.delete()
    old_permission.delete()


def forwards(apps, schema_editor):
    rename(apps, OLD, NEW, NEW_NAME)


def backwards(apps, schema_editor):
    rename(apps, NEW, OLD, OLD_NAME)


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("claims", "0008_places_are_a_list_of_names"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="claim",
            options={
                "ordering": ["-last_activity_at", "-id"],
                "permissions": [
                    ("change_claim_status", "Can change a claim's verification status"),
                    ("propose_status_change", "Can propose a status change for an editor to rule on"),
                    ("publish_verdict", "Can publish a verdict"),
                    ("review_appearance", NEW_NAME),
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
