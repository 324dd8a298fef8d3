import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from archive.progress import TableProgress
from archive.services import import_archive


class Command(BaseCommand):
    help = "Restore an archive written by export_archive into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive folder")

    def handle(self, *args, path, **options):
        with TableProgress(sys.stderr) as progress:
            try:
                manifest = import_archive(path, progress=progress.update)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            f"Imported {rows} rows in {len(manifest['tables'])} tables and {len(manifest['files'])} files from {path}"
        )
