"""export_archive / import_archive: the whole record out and back in, losslessly."""

import filecmp
import hashlib
import io
import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command

from claims import roles, services
from claims.models import Appearance, Claim, Evidence, StatusChange
from sources.models import Document, DocumentRevision, Snapshot
from tests import factories
from tests.factories import EditorFactory, make_appearance

pytestmark = pytest.mark.django_db(transaction=True)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SNAPSHOT_BODY = "<html><body><p>كركوك: لا انسحاب</p></body></html>".encode()


def build_record():
    call_command("loaddemo", stdout=io.StringIO())
    claim = Claim.objects.get()
    editor = EditorFactory(username="second-editor")
    appearance = make_appearance(claim=claim, quote="كركوك: لا انسحاب", recorded_by=editor)
    services.retract_appearance(appearance=appearance, retracted_by=editor, reason="Duplicate of the ministry's")
    services.attach_evidence(
        content=PNG, content_type="image/png", uploaded_by=editor, claim=claim, caption="Empty post"
    )
    # A revision's preserved response and a page preserved on demand (sources.snapshots).
    revision = DocumentRevision.objects.order_by("pk").first()
    preserved = factories.make_snapshot(document=revision.document, body=SNAPSHOT_BODY)
    DocumentRevision.objects.filter(pk=revision.pk).update(snapshot=preserved)
    Document.objects.filter(pk=revision.document_id).update(last_snapshot=preserved)
    # A partner's submission: the record names the partner, so partners are archived too.
    partner = factories.make_partner()
    factories.make_api_key("write", partner=partner)
    services.record_appearance(
        claim=claim,
        source=factories.SourceFactory(),
        stance="reports",
        recorded_by=None,
        origin=Appearance.Origin.PARTNER,
        submitted_by_partner=partner,
    )


def export(path):
    call_command("export_archive", str(path), stdout=io.StringIO())


def empty_the_database():
    call_command("flush", "--no-input", verbosity=0)
    roles.sync_role_groups(Group, Permission)  # as the migration would on a new database


def test_import_into_an_empty_database_restores_everything_and_re_exports_identically(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    build_record()
    before = {
        "claims": list(Claim.objects.values()),
        "appearances": list(Appearance.objects.values()),
        "timeline": list(StatusChange.objects.values()),
        "revisions": list(DocumentRevision.objects.values()),
        "evidence": list(Evidence.objects.values("sha256", "file", "caption")),
        "snapshots": list(Snapshot.objects.values()),
    }
    snapshot_bytes = Snapshot.objects.get().file.read()
    export(tmp_path / "first")
    manifest = json.loads((tmp_path / "first" / "manifest.json").read_text())
    assert manifest["tables"]["claims.statuschange"]["rows"] == 2
    assert manifest["tables"]["sources.snapshot"]["rows"] == 1
    [evidence_name] = [name for name in manifest["files"] if name.startswith("evidence/")]
    [snapshot_name] = [name for name in manifest["files"] if name.startswith("snapshots/")]
    assert (tmp_path / "first" / "files" / snapshot_name).read_bytes() == snapshot_bytes
    assert manifest["files"][snapshot_name] == before["snapshots"][0]["sha256"]

    empty_the_database()
    settings.MEDIA_ROOT = tmp_path / "restored-media"  # the files must come from the archive
    assert not Claim.objects.exists()
    call_command("import_archive", str(tmp_path / "first"), stdout=io.StringIO())

    assert list(Claim.objects.values()) == before["claims"]
    assert list(Appearance.objects.values()) == before["appearances"]
    assert list(StatusChange.objects.values()) == before["timeline"]
    assert list(DocumentRevision.objects.values()) == before["revisions"]
    assert {r["language"] for r in before["revisions"]} - {""}  # revisions' detected languages travel too
    assert list(Evidence.objects.values("sha256", "file", "caption")) == before["evidence"]
    assert Evidence.objects.get().file.read() == PNG
    assert list(Snapshot.objects.values()) == before["snapshots"]
    assert Snapshot.objects.get().file.read() == snapshot_bytes  # the WARC record, byte for byte
    assert DocumentRevision.objects.filter(snapshot__isnull=False).count() == 1
    assert Document.objects.filter(last_snapshot__isnull=False).count() == 1
    assert Claim.objects.get().appearances.filter(retracted_at__isnull=False).count() == 1

    export(tmp_path / "second")
    comparison = filecmp.dircmp(tmp_path / "first", tmp_path / "second")
    assert comparison.diff_files == [] and comparison.left_only == [] and comparison.right_only == []
    for table in manifest["tables"]:
        name = f"tables/{table}.ndjson"
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()
    assert (tmp_path / "second" / "files" / evidence_name).read_bytes() == PNG
    assert (tmp_path / "second" / "files" / snapshot_name).read_bytes() == snapshot_bytes

    # New records after a restore get fresh ids (sequences moved past the restored rows).
    services.create_claim(text="A new claim after the restore", created_by=None)


def test_import_refuses_a_database_that_already_holds_records(tmp_path):
    build_record()
    export(tmp_path / "archive")
    with pytest.raises(CommandError, match="already holds records"):
        call_command("import_archive", str(tmp_path / "archive"), stdout=io.StringIO())
    assert Claim.objects.count() == 1


def test_a_damaged_archive_is_refused_and_nothing_is_imported(tmp_path):
    build_record()
    export(tmp_path / "archive")
    table = tmp_path / "archive" / "tables" / "claims.appearance.ndjson"
    table.write_text(table.read_text().replace("fabricated", "confirmed"))
    empty_the_database()
    with pytest.raises(CommandError, match="checksum"):
        call_command("import_archive", str(tmp_path / "archive"), stdout=io.StringIO())
    assert not Claim.objects.exists()


def test_export_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(CommandError, match="not empty"):
        export(tmp_path)
    assert (tmp_path / "precious.txt").read_text() == "keep me"


@pytest.mark.parametrize(
    ("table", "field", "value"),
    [
        ("claims.claim", "first_seen_at", "0001-01-01T00:00:00+03:00"),  # a BC time in UTC
        ("claims.claim", "last_activity_at", "9999-12-31T23:00:00+00:00"),  # overflows shown at UTC+3
        ("claims.appearance", "seen_at", "1899-12-31T00:00:00+00:00"),
    ],
)
def test_an_archive_with_a_time_out_of_range_is_refused_naming_the_row_and_nothing_is_imported(
    tmp_path, table, field, value
):
    claim = factories.make_claim()
    make_appearance(claim=claim)
    export(tmp_path / "archive")
    path = tmp_path / "archive" / "tables" / f"{table}.ndjson"
    row = json.loads(path.read_text())
    row["fields"][field] = value
    path.write_text(json.dumps(row, sort_keys=True) + "\n")
    manifest_path = tmp_path / "archive" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["tables"][table]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest))
    empty_the_database()
    with pytest.raises(CommandError, match=f"tables/{table}.ndjson line 1: {field} .* is not between 1900-01-01"):
        call_command("import_archive", str(tmp_path / "archive"), stdout=io.StringIO())
    assert not Claim.objects.exists()


def test_an_archive_from_before_revisions_had_a_language_imports_them_without_one(tmp_path):
    revision = factories.ingest_article(title="", text="Iraq's interior ministry denied reports from Kirkuk.")
    assert revision.language == "en"
    export(tmp_path / "archive")
    path = tmp_path / "archive" / "tables" / "sources.documentrevision.ndjson"
    row = json.loads(path.read_text())
    del row["fields"]["language"]  # as exported before sources 0012
    path.write_text(json.dumps(row, sort_keys=True) + "\n")
    manifest_path = tmp_path / "archive" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["tables"]["sources.documentrevision"]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest))
    empty_the_database()
    call_command("import_archive", str(tmp_path / "archive"), stdout=io.StringIO())
    assert DocumentRevision.objects.get().language == ""
    assert DocumentRevision.objects.get().text == revision.text


def test_two_factor_login_stays_on_after_a_restore(tmp_path, client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    build_record()
    editor = EditorFactory(username="careful-editor")
    TOTPDevice.objects.create(user=editor, name="authenticator app", confirmed=True)
    export(tmp_path / "archive")
    manifest = json.loads((tmp_path / "archive" / "manifest.json").read_text())
    assert manifest["tables"]["otp_totp.totpdevice"]["rows"] == 1

    empty_the_database()
    assert not TOTPDevice.objects.exists()
    call_command("import_archive", str(tmp_path / "archive"), stdout=io.StringIO())

    restored = TOTPDevice.objects.get(user__username="careful-editor")
    assert restored.confirmed
    client.post("/accounts/login/", {"username": "careful-editor", "password": "correct-horse-battery-staple"})
    still_needs_the_code = client.get("/claims/")
    assert still_needs_the_code.status_code == 302
    assert still_needs_the_code["Location"].startswith("/accounts/verify/")
