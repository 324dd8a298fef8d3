import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from archive.progress import TableProgress
from archive.services import export_archive


class Command(BaseCommand):
    help = "Write the whole record (claims, sources, documents, appearances, timeline, evidence, audit) to PATH."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a new or empty folder")

    def handle(self, *args, path, **options):
        with TableProgress(sys.stderr) as progress:
            try:
                manifest = export_archive(path, progress=progress.update)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            f"Exported {rows} rows in {len(manifest['tables'])} tables and {len(manifest['files'])} files to {path}"
        )
