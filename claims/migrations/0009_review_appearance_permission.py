"""The review permission is about every pending appearance (an ingestion suggestion or a partner's
submission), so it is renamed review_suggestion -> review_appearance. The permission row is renamed
in place, so the role groups and any user holding it keep it."""

from django.db import migrations

OLD, NEW = "review_suggestion", "review_appearance"
NEW_NAME = "Can accept or reject a pending appearance (suggested or submitted by a partner)"
OLD_NAME = "Can accept or reject a suggested appearance"


def rename(apps, old, new, name):
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="claims", codename=old)
    if not Permission.objects.filter(content_type__app_label="claims", codename=new).exists():
        permissions.update(codename=new, name=name)


def forwards(apps, schema_editor):
    rename(apps, OLD, NEW, NEW_NAME)


def backwards(apps, schema_editor):
    rename(apps, NEW, OLD, OLD_NAME)


class Migration(migrations.Migration):
    dependencies = [
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
