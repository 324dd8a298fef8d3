from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claimtrack.lib.shared_data import shared_data_dir
from stance.training import load_datasets, write_fnc_files


class Command(BaseCommand):
    help = (
        "Write the held-apart parts of FNC-1 (by headline) and Emergent (by claim) in FNC-1's format, for "
        "evaluate_stance. The split is a function of the texts, the same on every machine; train_stance "
        "never trains on it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--data", type=Path, help="folder with fnc1/ and emergent/ (default ../shared/data)")
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
