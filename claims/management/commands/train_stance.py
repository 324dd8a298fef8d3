from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from claims.selectors import reviewed_suggestions
from claimtrack.lib.shared_data import shared_data_dir
from stance.classifier import model_folder
from stance.training import (
    arabic_training_pairs,
    load_arabic_datasets,
    load_datasets,
    train_arabic_model,
    train_model,
    training_set,
)

# A claims command, not a stance one: --include-reviews reads this installation's review decisions
# (claims' data) and hands them to stance's training as plain texts.


class Command(BaseCommand):
    help = (
        "Train the stance classifier from FNC-1 and Emergent (their held-apart parts excluded) and, with "
        "--include-reviews, the suggestions journalists accepted or rejected here; and its Arabic model from "
        "ANS (arabic-ans/: its training file less the held-apart part, and its dev file). Deterministic."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data", type=Path, help="folder with fnc1/, emergent/ and arabic-ans/ (default ../shared/data)"
        )
        parser.add_argument("--output", type=Path, help="model folder (default CLAIMTRACK_STANCE_MODEL_DIR)")
        parser.add_argument("--include-reviews", action="store_true", help="add this installation's reviews")
        parser.add_argument(
            "--all-data",
            action="store_true",
            help="train on the held-apart parts too (figures are then not comparable)",
        )

    def handle(self, *args, **options):
        data = options["data"] or shared_data_dir()
        if not (data / "fnc1" / "train_stances.csv").is_file():
            raise CommandError(f"No FNC-1 data in {data}/fnc1/; pass --data or set CLAIMTRACK_SHARED_DATA.")
        output = options["output"] or model_folder()
        datasets = load_datasets(data)
        reviews = reviewed_suggestions() if options["include_reviews"] else []
        training = training_set(datasets, all_data=options["all_data"], reviews=reviews)
        self.stdout.write(
            f"Training on {training.sources['fnc']} FNC-1 pairs, {training.sources['emergent']} Emergent pairs "
            f"and {training.sources['reviews']} reviewed suggestions."
        )
        with tqdm(total=len(training.examples), unit="pair", desc="Features", file=self.stderr._out) as progress:
            model = train_model(
                training,
                progress=progress,
                meta={"all_data": options["all_data"], "include_reviews": options["include_reviews"]},
            )
        arabic = load_arabic_datasets(data)
        if arabic is None:
            self.stdout.write(
                self.style.WARNING(
                    f"No ANS data in {data}/arabic-ans/: no Arabic model, Arabic pairs go to the English one."
                )
            )
        else:
            pairs = arabic_training_pairs(arabic, all_data=options["all_data"])
            self.stdout.write(f"Training the Arabic model on {len(pairs)} ANS pairs.")
            model.arabic = train_arabic_model(pairs, meta={"all_data": options["all_data"]})
        stale = output / "arabic.npz"
        if model.arabic is None and stale.exists():
            stale.unlink()
        model.save(output)
        size = sum(p.stat().st_size for p in output.iterdir() if p.is_file())
        self.stdout.write(self.style.SUCCESS(f"Model written to {output} ({size / 1e6:.1f} MB)."))
