import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from claims.claimreview import import_claimreview, parse_claimreviews


class Command(BaseCommand):
    help = (
        "Import schema.org ClaimReview JSON-LD (one object, a list, an @graph, or an HTML page's "
        '<script type="application/ld+json">): creates each claim with its verdict, mapping the '
        "rating by reviewRating.alternateName. Claims already tracked (same text) are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .json/.jsonld file or an .html page; - for standard input")

    def handle(self, *args, file, **options):
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file} is not UTF-8 text.") from None
        try:
            reviews = parse_claimreviews(text)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if not reviews:
            raise CommandError("No ClaimReview found in the file.")
        created = skipped = failed = 0
        for number, review in enumerate(reviews, start=1):
            try:
                claim, was_created = import_claimreview(review)
            except ValidationError as error:
                failed += 1
                self.stderr.write(f"ClaimReview {number}: not imported: {' '.join(error.messages)}")
                continue
            if was_created:
                created += 1
                self.stdout.write(f"ClaimReview {number}: created claim {claim.pk} “{claim.text[:60]}”")
            else:
                skipped += 1
                self.stdout.write(f"ClaimReview {number}: claim {claim.pk} is already tracked; skipped")
        self.stdout.write(f"{created} created, {skipped} already tracked, {failed} not imported.")
        if failed:
            raise CommandError(f"{failed} ClaimReview(s) could not be imported.")
