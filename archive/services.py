"""The lossless archive: the whole record as NDJSON per table plus the files rows name.

Format (version 1), a folder:
  manifest.json           format name and version, and for every table its row count and the
                          SHA-256 of its file; for every file its SHA-256
  tables/<app>.<model>.ndjson
                          one JSON object per row, ordered by primary key, keys sorted:
                          {"model": "claims.claim", "pk": 1, "fields": {...}} as Django's
                          serializers produce it (foreign keys by primary key; users' groups and
                          permissions by natural key)
  files/<path in storage> every file a row names (evidence files, preserved snapshots' WARC
                          records), byte for byte

Everything is deterministic (no timestamps of the export itself), so exporting a restored
database gives identical files.
"""

import datetime
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from claimtrack.lib import dates

FORMAT_NAME = "claimtrack-archive"
FORMAT_VERSION = 1

# Apps whose every model is part of the record; users are added because the record says who did
# what. Partners are in it because claims and appearances name the partner that submitted them.
# Outbox messages are transient plumbing, not record.
ARCHIVED_APPS = ("sources", "claims", "partners")
# Users' second factors (django-otp's TOTP devices, with their secrets): without them a restore
# would silently turn two-factor login off.
USER_APPS = ("otp_totp",)
# Stored reports are derived from the record (computed again by the beat).
EXCLUDED_MODELS = {"outbox.outboxmessage", "claims.storedreport"}

Progress = Callable[[str, int], None]


class ArchiveJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts datetimes to milliseconds; an archive keeps every microsecond."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        return super().default(o)


def archived_models() -> list:
    models = [get_user_model()]
    for label in USER_APPS + ARCHIVED_APPS + tuple(getattr(settings, "CLAIMTRACK_ARCHIVE_EXTRA_APPS", ())):
        models += [
            m
            for m in apps.get_app_config(label).get_models()
            if not m._meta.proxy and m._meta.label_lower not in EXCLUDED_MODELS
        ]
    return models


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _row(obj) -> dict:
    [row] = serializers.serialize("python", [obj], use_natural_foreign_keys=False)
    fields = row["fields"]
    for field in obj._meta.many_to_many:
        fields[field.name] = sorted(fields[field.name], key=str)
    if isinstance(obj, get_user_model()):
        # Groups and permissions are created by migrations: refer to them by name.
        fields["groups"] = sorted(obj.groups.values_list("name", flat=True))
        fields["user_permissions"] = sorted(
            f"{p.content_type.app_label}.{p.codename}" for p in obj.user_permissions.select_related("content_type")
        )
    return {"model": row["model"], "pk": row["pk"], "fields": fields}


def export_archive(path: str | Path, *, progress: Progress | None = None) -> dict:
    """Write the whole record to the folder at path (created; must be empty). Returns the manifest."""
    root = Path(path)
    if root.exists() and any(root.iterdir()):
        raise ValidationError(f"{root} is not empty; choose a new folder for the archive.")
    (root / "tables").mkdir(parents=True, exist_ok=True)
    manifest = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "tables": {}, "files": {}}
    for model in archived_models():
        label = model._meta.label_lower
        table_path = root / "tables" / f"{label}.ndjson"
        count = 0
        with table_path.open("w", encoding="utf-8") as out:
            for obj in model._default_manager.order_by("pk").iterator(chunk_size=2000):
                out.write(json.dumps(_row(obj), cls=ArchiveJSONEncoder, sort_keys=True, ensure_ascii=False) + "\n")
                count += 1
                for field in obj._meta.fields:
                    if field.get_internal_type() == "FileField" and getattr(obj, field.attname):
                        name = getattr(obj, field.attname).name
                        target = root / "files" / name
                        target.parent.mkdir(parents=True, exist_ok=True)
                        with default_storage.open(name, "rb") as source:
                            target.write_bytes(source.read())
                        manifest["files"][name] = _file_sha256(target)
                if progress:
                    progress(label, count)
        manifest["tables"][label] = {"rows": count, "sha256": _file_sha256(table_path)}
    manifest["files"] = dict(sorted(manifest["files"].items()))
    (root / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def _read_manifest(root: Path) -> dict:
    try:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValidationError(f"{root} is not a claimtrack archive: {error}") from None
    if manifest.get("format") != FORMAT_NAME or manifest.get("version") != FORMAT_VERSION:
        raise ValidationError(f"Unsupported archive format {manifest.get('format')} v{manifest.get('version')}.")
    for label, table in manifest["tables"].items():
        if _file_sha256(root / "tables" / f"{label}.ndjson") != table["sha256"]:
            raise ValidationError(f"tables/{label}.ndjson does not match its checksum: the archive is damaged.")
    for name, digest in manifest["files"].items():
        if _file_sha256(root / "files" / name) != digest:
            raise ValidationError(f"files/{name} does not match its checksum: the archive is damaged.")
    return manifest


# Times that are plans rather than history (the next fetch, a lease, the next webhook attempt) may
# lie ahead; nothing claimtrack schedules is a year away.
SCHEDULE_FIELDS = {"next_fetch_at", "next_check_at", "lease_until", "next_attempt_at"}
SCHEDULE_HORIZON = datetime.timedelta(days=366)


def _check_dates(obj, where: str) -> None:
    """Refuse a row whose time is outside claimtrack.lib.dates' range (a schedule: up to a year
    ahead). Restored, a BC time cannot be read back from PostgreSQL and one near 9999-12-31
    overflows on every page showing it, so the whole archive is refused, naming the row."""
    now = datetime.datetime.now(datetime.UTC)
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if field.get_internal_type() != "DateTimeField" or value is None:
            continue
        if field.name in SCHEDULE_FIELDS:
            valid = dates.in_range(value, now=now + SCHEDULE_HORIZON)
        else:
            valid = dates.in_range(value, now=now)
        if not valid:
            raise ValidationError(
                f"{where}: {field.name} {value.isoformat()} is not {dates.range_description(now)}; "
                "the archive was not imported."
            )


def import_archive(path: str | Path, *, progress: Progress | None = None) -> dict:
    """Restore an archive into a database that holds no record yet. All or nothing."""
    from django.contrib.auth.models import Group, Permission

    root = Path(path)
    manifest = _read_manifest(root)
    models = {m._meta.label_lower: m for m in archived_models()}
    unknown = set(manifest["tables"]) - set(models)
    if unknown:
        raise ValidationError(f"The archive has tables this installation does not know: {', '.join(sorted(unknown))}.")
    not_empty = [label for label, model in models.items() if model._default_manager.exists()]
    if not_empty:
        raise ValidationError(f"The database already holds records ({', '.join(not_empty)}); import into an empty one.")

    groups = {g.name: g.pk for g in Group.objects.all()}
    permissions = {
        f"{p.content_type.app_label}.{p.codename}": p.pk for p in Permission.objects.select_related("content_type")
    }
    user_label = get_user_model()._meta.label_lower
    with transaction.atomic(), connection.constraint_checks_disabled():
        for label in manifest["tables"]:
            with (root / "tables" / f"{label}.ndjson").open(encoding="utf-8") as rows:
                for count, line in enumerate(rows, start=1):
                    row = json.loads(line)
                    if label == user_label:
                        row["fields"]["groups"] = [groups[name] for name in row["fields"]["groups"]]
                        row["fields"]["user_permissions"] = [permissions[p] for p in row["fields"]["user_permissions"]]
                    try:
                        objects = list(serializers.deserialize("python", [row]))
                    except DeserializationError as error:
                        raise ValidationError(f"tables/{label}.ndjson line {count}: {error}") from None
                    for deserialized in objects:
                        _check_dates(deserialized.object, f"tables/{label}.ndjson line {count}")
                        deserialized.save()
                    if progress:
                        progress(label, count)
        connection.check_constraints(table_names=[models[label]._meta.db_table for label in manifest["tables"]])
        for name in manifest["files"]:
            if not default_storage.exists(name):
                default_storage.save(name, ContentFile((root / "files" / name).read_bytes()))
        # Rows kept their primary keys: move the sequences past them (PostgreSQL).
        statements = connection.ops.sequence_reset_sql(no_style(), list(models.values()))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    return manifest
