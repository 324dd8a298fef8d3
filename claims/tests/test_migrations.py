import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from claims import roles


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.fixture(autouse=True)
def back_to_the_latest_migrations():
    """These tests step claims back to older migrations: leave the schema as the next test expects."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_renaming_the_review_permission_keeps_it_for_every_role_and_user(django_user_model):
    migrate(("claims", "0008_places_are_a_list_of_names"))
    old = Permission.objects.get(content_type__app_label="claims", codename="review_suggestion")
    # A group of the newsroom's own and a user holding the permission directly (the role groups
    # may have been flushed by an earlier test).
    group = Group.objects.create(name="night desk")
    group.permissions.add(old)
    user = django_user_model.objects.create_user("reviewer")
    user.user_permissions.add(old)

    migrate(("claims", "0009_review_appearance_permission"))

    renamed = Permission.objects.get(pk=old.pk)
    assert renamed.codename == "review_appearance"
    assert not Permission.objects.filter(codename="review_suggestion").exists()
    assert django_user_model.objects.get(pk=user.pk).has_perm("claims.review_appearance")
    assert group.permissions.filter(codename="review_appearance").exists()
    assert ("claims", "review_appearance") in roles.JOURNALIST_PERMISSIONS


@pytest.mark.django_db(transaction=True)
def test_when_both_review_permissions_exist_the_grants_move_to_the_new_one(django_user_model):
    migrate(("claims", "0008_places_are_a_list_of_names"))
    old = Permission.objects.get(content_type__app_label="claims", codename="review_suggestion")
    # As if the newer code had already created its permission (post_migrate) before the migration.
    new = Permission.objects.create(content_type=old.content_type, codename="review_appearance", name="Review")
    group = Group.objects.create(name="night desk")
    group.permissions.add(old)
    both = Group.objects.create(name="day desk")
    both.permissions.add(old, new)
    user = django_user_model.objects.create_user("reviewer")
    user.user_permissions.add(old)

    migrate(("claims", "0009_review_appearance_permission"))

    assert not Permission.objects.filter(codename="review_suggestion").exists()
    assert list(group.permissions.values_list("codename", flat=True)) == ["review_appearance"]
    assert list(both.permissions.values_list("codename", flat=True)) == ["review_appearance"]
    assert django_user_model.objects.get(pk=user.pk).has_perm("claims.review_appearance")
