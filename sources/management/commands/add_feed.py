from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sources.ingestion import add_feed
from sources.models import Source


class Command(BaseCommand):
    help = (
        "Register a feed for a source; the source is created as a news outlet when it does not exist. "
        "The feed is fetched once to detect its kind (RSS, Atom or sitemap)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, help="the source's name")
        parser.add_argument("url", help="the feed's address")

    def handle(self, *args, source, url, **options):
        existing = Source.objects.filter(name__iexact=source.strip()).first()
        try:
            feed = add_feed(url=url, source=existing, source_name=source)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"Added {feed.get_kind_display()} feed {feed.url} for {feed.source.name}.")
