"""Notes (with their mentions and retractions) and assignments are part of the newsroom record:
they leave in an archive and come back from it unchanged, with their audit trail."""

import filecmp
import io
import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from claims import roles, services
from claims.models import Assignment, Note
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def empty_the_database():
    call_command("flush", "--no-input", verbosity=0)
    roles.sync_role_groups(Group, Permission)  # as the migration would on a new database


def note_rows():
    return [
        {**row, "mentions": sorted(Note.objects.get(pk=row["id"]).mentions.values_list("username", flat=True))}
        for row in Note.objects.order_by("pk").values()
    ]


def test_notes_mentions_and_assignments_survive_an_export_and_import(tmp_path):
    journalist = factories.JournalistFactory(username="jo")
    editor = factories.EditorFactory(username="ed")
    rana = factories.JournalistFactory(username="rana")
    claim = factories.make_claim(created_by=journalist)
    services.add_note(claim_id=claim.pk, author=journalist, text="Called the spokesman; @ed @rana: no answer yet.")
    retracted = services.add_note(claim_id=claim.pk, author=rana, text="كركوك: wrong claim, sorry")
    services.retract_note(note=retracted, retracted_by=editor, reason="Posted on the wrong claim")
    services.assign_claim(claim_id=claim.pk, user=rana, assigned_by=editor)
    services.assign_claim(claim_id=claim.pk, user=journalist, assigned_by=journalist)
    services.unassign_claim(claim_id=claim.pk, user=journalist, unassigned_by=editor)
    before = {
        "notes": note_rows(),
        "note history": list(Note.history.order_by("history_id").values("id", "history_type", "retraction_reason")),
        "assignments": list(Assignment.objects.order_by("pk").values()),
        "assignment history": list(Assignment.history.order_by("history_id").values("id", "history_type")),
    }
    assert before["notes"][0]["mentions"] == ["ed", "rana"]

    call_command("export_archive", str(tmp_path / "first"), stdout=io.StringIO())
    manifest = json.loads((tmp_path / "first" / "manifest.json").read_text())
    assert manifest["tables"]["claims.note"]["rows"] == 2
    assert manifest["tables"]["claims.assignment"]["rows"] == 2
    assert manifest["tables"]["claims.historicalnote"]["rows"] == 3
    empty_the_database()
    assert not Note.objects.exists() and not Assignment.objects.exists()
    call_command("import_archive", str(tmp_path / "first"), stdout=io.StringIO())

    assert note_rows() == before["notes"]
    assert (
        list(Note.history.order_by("history_id").values("id", "history_type", "retraction_reason"))
        == before["note history"]
    )
    assert list(Assignment.objects.order_by("pk").values()) == before["assignments"]
    assert list(Assignment.history.order_by("history_id").values("id", "history_type")) == before["assignment history"]

    call_command("export_archive", str(tmp_path / "second"), stdout=io.StringIO())
    comparison = filecmp.dircmp(tmp_path / "first" / "tables", tmp_path / "second" / "tables")
    assert comparison.diff_files == [] and comparison.left_only == [] and comparison.right_only == []

    # After a restore the record goes on: new notes and assignments get fresh ids.
    services.add_note(claim_id=claim.pk, author=rana, text="Back after the restore, @jo")
    assert services.unassign_claim(claim_id=claim.pk, user=rana, unassigned_by=editor).unassigned_at is not None
