import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sources.ingestion import Progress, ingest_once


class TqdmProgress(Progress):
    def __init__(self, bar):
        self.bar = bar

    def add_total(self, count):
        self.bar.total = (self.bar.total or 0) + count
        self.bar.refresh()

    def advance(self, description):
        self.bar.set_description(description, refresh=False)
        self.bar.update(1)


class Command(BaseCommand):
    help = (
        "Poll every active feed now (ignoring schedules) and fetch all new articles, as the workers do; "
        "with --recheck, also re-fetch every known document. Ends with a one-line summary."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run one round now and exit (required)")
        parser.add_argument("--recheck", action="store_true", help="re-fetch every known document too")

    def handle(self, *args, once, recheck, **options):
        if not once:
            raise CommandError("Use --once; continuous ingestion is done by the Celery worker and beat.")
        # A progress bar only on a terminal: logs and pipes get the summary line alone.
        with tqdm(total=0, unit="item", disable=not sys.stderr.isatty(), file=sys.stderr) as bar:
            summary = ingest_once(recheck=recheck, progress=TqdmProgress(bar))
        self.stdout.write(summary.line())
