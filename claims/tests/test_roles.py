import pytest

from claims.roles import EDITOR, JOURNALIST

pytestmark = pytest.mark.django_db


def test_role_groups_exist_after_migrating(django_user_model):
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {JOURNALIST, EDITOR}


def test_journalist_logs_claims_but_cannot_rule_on_them(journalist):
    assert journalist.has_perms(["claims.add_claim", "claims.add_appearance", "claims.propose_status_change"])
    assert not journalist.has_perm("claims.change_claim_status")
    assert not journalist.has_perm("claims.publish_verdict")


def test_editor_can_change_status_and_publish_verdicts(editor):
    assert editor.has_perms(["claims.change_claim_status", "claims.publish_verdict", "claims.add_appearance"])


def test_nobody_in_a_role_may_delete_or_edit_the_timeline(journalist, editor):
    for user in (journalist, editor):
        assert not user.has_perm("claims.delete_claim")
        assert not user.has_perm("claims.change_statuschange")
        assert not user.has_perm("claims.delete_statuschange")
        assert not user.has_perm("claims.delete_appearance")
