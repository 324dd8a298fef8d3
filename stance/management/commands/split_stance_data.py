from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claimtrack.lib.shared_data import shared_data_dir
from stance.training import ans_as_fnc, load_arabic_datasets, load_datasets, write_fnc_files


class Command(BaseCommand):
    help = (
        "Write the held-apart parts of FNC-1 (by headline), Emergent (by claim) and ANS (Arabic, by headline "
        "s1, from its training file) in FNC-1's format, for evaluate_stance. The split is a function of the texts, the same on every machine; train_stance "
        "never trains on it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data", type=Path, help="folder with fnc1/, emergent/ and arabic-ans/ (default ../shared/data)"
        )
        parser.add_argument("--out", type=Path, default=Path("var/stance-split"), help="where to write the files")

    def handle(self, *args, **options):
        data = options["data"] or shared_data_dir()
        if not (data / "fnc1" / "train_stances.csv").is_file():
            raise CommandError(f"No FNC-1 data in {data}/fnc1/; pass --data or set CLAIMTRACK_SHARED_DATA.")
        datasets = load_datasets(data)
        out = options["out"]
        write_fnc_files(
            datasets.fnc_held_apart, datasets.fnc_bodies, out / "fnc1_held_apart_stances.csv", out / "fnc1_bodies.csv"
        )
        write_fnc_files(
            datasets.emergent_held_apart,
            datasets.emergent_bodies,
            out / "emergent_held_apart_stances.csv",
            out / "emergent_bodies.csv",
        )
        train_headlines = {p.headline for p in datasets.fnc_train}
        assert not train_headlines & {p.headline for p in datasets.fnc_held_apart}
        self.stdout.write(
            f"FNC-1: {len(datasets.fnc_held_apart)} held-apart pairs "
            f"({len({p.headline for p in datasets.fnc_held_apart})} headlines), {len(datasets.fnc_train)} for training.\n"
            f"Emergent: {len(datasets.emergent_held_apart)} held-apart pairs, {len(datasets.emergent_train)} for training.\n"
            f"Written to {out}/. Evaluate with:\n"
            f"  manage.py evaluate_stance --stances {out}/fnc1_held_apart_stances.csv --bodies {out}/fnc1_bodies.csv\n"
            f"  manage.py evaluate_stance --stances {out}/emergent_held_apart_stances.csv "
            f"--bodies {out}/emergent_bodies.csv --assume-related"
        )
        arabic = load_arabic_datasets(data)
        if arabic is None:
            self.stdout.write(self.style.WARNING(f"No ANS data in {data}/arabic-ans/: no Arabic part written."))
            return
        held_pairs, held_bodies = ans_as_fnc(arabic.held_apart)
        write_fnc_files(held_pairs, held_bodies, out / "ans_held_apart_stances.csv", out / "ans_bodies.csv")
        assert not {p.claim for p in arabic.train + arabic.dev} & {p.claim for p in arabic.held_apart}
        self.stdout.write(
            f"ANS (Arabic): {len(arabic.held_apart)} held-apart pairs "
            f"({len({p.claim for p in arabic.held_apart})} headlines), {len(arabic.train)} for training, "
            f"{len(arabic.dev)} dev pairs (for tuning). Evaluate with:\n"
            f"  manage.py evaluate_stance --stances {out}/ans_held_apart_stances.csv --bodies {out}/ans_bodies.csv"
        )
