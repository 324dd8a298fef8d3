"""Compile the interface's translation catalogues (each locale/*/LC_MESSAGES/*.po beside it as .mo)
with polib, so installing needs no GNU gettext (`make install` runs this; the .mo files are build
output, not in the repository)."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def compile_catalogues(paths) -> list[Path]:
    """Write every `<locale dir>/<language>/LC_MESSAGES/<domain>.po` (or each .po file named) as
    `<domain>.mo` next to it; returns the files written. Fuzzy and obsolete entries are left out,
    as msgfmt does by default."""
    written = []
    for path in map(Path, paths):
        for po_path in [path] if path.suffix == ".po" else sorted(path.glob("*/LC_MESSAGES/*.po")):
            written.append(compile_catalogue(po_path))
    return written


def compile_catalogue(po_path: Path) -> Path:
    try:
        catalogue = polib.pofile(str(po_path), wrapwidth=0)
    except (OSError, ValueError) as error:
        message = str(error)  # polib's syntax errors name the file and line already
        raise CommandError(message if str(po_path) in message else f"{po_path}: {message}") from None
    mo_path = po_path.with_suffix(".mo")
    # Written beside, then renamed: a server reading the catalogue never sees half a file.
    partial = mo_path.with_suffix(".mo.partial")
    catalogue.save_as_mofile(str(partial))
    partial.replace(mo_path)
    return mo_path


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po to .mo with polib (no GNU gettext needed)."
    requires_system_checks = []  # a build step: no database, no checks

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="*", help=".po files, or folders holding <language>/LC_MESSAGES/ (default: LOCALE_PATHS)."
        )

    def handle(self, *args, paths, **options):
        for mo_path in compile_catalogues(paths or settings.LOCALE_PATHS):
            self.stdout.write(f"compiled {mo_path}")
