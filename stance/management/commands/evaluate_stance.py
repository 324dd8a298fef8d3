import csv
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from stance.classifier import FNC_LABELS, LABEL_TO_FNC, StanceModel, model_folder
from stance.training import (
    FNC_TO_ANS,
    ans_as_fnc,
    confusion_matrix,
    fnc_score,
    macro_f1,
    read_ans,
    read_fnc_bodies,
    read_fnc_stances,
)

BATCH = 256


class Command(BaseCommand):
    help = (
        "Run the installed stance classifier on every (headline, body) pair of FNC-1-format files (or of "
        "an ANS file: s1, s2, stance, with other meaning unrelated) and print the FNC-1 score, accuracy, "
        "macro-F1, the F1 of each class and the confusion matrix."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stances",
            required=True,
            type=Path,
            help="CSV with Headline, Body ID[, Stance] (FNC-1 format), or with s1, s2, stance (ANS format)",
        )
        parser.add_argument("--bodies", type=Path, help="CSV with Body ID, articleBody (FNC-1 format only)")
        parser.add_argument(
            "--predictions",
            type=Path,
            help="write Headline, Body ID, Stance (for an ANS file: s1, s2, stance) here, in input order",
        )
        parser.add_argument(
            "--assume-related",
            action="store_true",
            help="every pair is about its headline: answer agree, disagree or discuss only",
        )

    def handle(self, *args, **options):
        try:
            model = StanceModel.load(model_folder())
        except (OSError, ImportError, ValueError, KeyError) as error:
            raise CommandError(f"The stance model cannot be used: {error}") from error
        if model is None:
            raise CommandError("No stance model is installed; run `manage.py train_stance` first.")
        pairs, bodies, is_ans = self.read_pairs(options["stances"], options["bodies"])

        headlines, documents, predicted = {}, {}, []
        started = time.perf_counter()
        with tqdm(total=len(pairs), unit="pair", desc="Classifying", file=self.stderr._out) as progress:
            for start in range(0, len(pairs), BATCH):
                batch = pairs[start : start + BATCH]
                analysed = []
                for pair in batch:
                    if pair.headline not in headlines:
                        headlines[pair.headline] = model.analyse(pair.headline)
                    if pair.body_id not in documents:
                        documents[pair.body_id] = model.analyse(bodies[pair.body_id])
                    analysed.append((headlines[pair.headline], documents[pair.body_id]))
                results = model.classify_pairs(analysed, assume_related=options["assume_related"])
                predicted += [LABEL_TO_FNC[r.label] for r in results]
                progress.update(len(batch))
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Pairs: {len(pairs)} in {elapsed:.1f} s, {len(pairs) / max(elapsed, 1e-9):.0f} pairs/second")

        if options["predictions"]:
            with open(options["predictions"], "w", newline="", encoding="utf-8") as f:
                writer = csv.writer(f)
                if is_ans:
                    writer.writerow(["s1", "s2", "stance"])
                    writer.writerows(
                        [p.headline, bodies[p.body_id], FNC_TO_ANS[label]]
                        for p, label in zip(pairs, predicted, strict=True)
                    )
                else:
                    writer.writerow(["Headline", "Body ID", "Stance"])
                    writer.writerows([p.headline, p.body_id, label] for p, label in zip(pairs, predicted, strict=True))
            self.stdout.write(f"Predictions written to {options['predictions']}")

        gold = [p.stance for p in pairs]
        if not all(gold):
            self.stdout.write("The stances file has no gold Stance for every pair: no scores.")
            return
        self.report(gold, predicted, assume_related=options["assume_related"])

    def read_pairs(self, stances_path: Path, bodies_path: Path | None):
        """The pairs, the bodies by id, and whether the file was in ANS's format."""
        if not stances_path.is_file():
            raise CommandError(f"{stances_path}: no such file")
        try:
            with open(stances_path, newline="", encoding="utf-8") as f:
                header = next(csv.reader(f), [])
            if {"s1", "s2", "stance"} <= {column.strip() for column in header}:
                pairs, bodies = ans_as_fnc(read_ans(stances_path))
                return pairs, bodies, True
            if {"Headline", "Body ID"} <= set(header) and bodies_path is None:
                raise CommandError(f"{stances_path} is in FNC-1 format: give its article bodies with --bodies.")
            if bodies_path is None:
                raise ValueError(
                    f"{stances_path}: expected the columns Headline, Body ID, Stance (FNC-1 format, with --bodies) "
                    "or s1, s2, stance (ANS format)"
                )
            if not bodies_path.is_file():
                raise CommandError(f"{bodies_path}: no such file")
            pairs = read_fnc_stances(stances_path, require_stance=False)
            bodies = read_fnc_bodies(bodies_path)
        except (ValueError, KeyError, UnicodeDecodeError, csv.Error) as error:
            raise CommandError(str(error)) from error
        missing = sorted({p.body_id for p in pairs} - bodies.keys())
        if missing:
            raise CommandError(f"Body IDs missing from {bodies_path}: {', '.join(missing[:10])}")
        return pairs, bodies, False

    def report(self, gold, predicted, *, assume_related):
        score, maximum = fnc_score(gold, predicted)
        # A class neither in the gold standard nor predicted (discuss in ANS) is not averaged over.
        labels = [
            label
            for label in FNC_LABELS
            if (not assume_related or label != "unrelated" or label in gold) and (label in gold or label in predicted)
        ]
        accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
        self.stdout.write(f"FNC score: {100 * score / maximum:.2f}% ({score:g} of {maximum:g})")
        self.stdout.write(f"Accuracy: {100 * accuracy:.2f}%")
        self.stdout.write(f"Macro-F1: {macro_f1(gold, predicted, labels):.4f} (over {', '.join(labels)})")
        per_class = ", ".join(f"{label} {macro_f1(gold, predicted, [label]):.4f}" for label in labels)
        self.stdout.write(f"F1 per class: {per_class}")
        self.stdout.write("Confusion matrix (rows: gold, columns: predicted):")
        width = max(len(label) for label in labels) + 2
        self.stdout.write(" " * width + "".join(f"{label:>{width}}" for label in labels))
        for label, row in zip(labels, confusion_matrix(gold, predicted, labels), strict=True):
            self.stdout.write(f"{label:<{width}}" + "".join(f"{n:>{width}}" for n in row))
