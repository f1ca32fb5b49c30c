"""Benchmark: ecgbeat side by side with torch_ecg (PyPI ``torch-ecg``) where the two overlap.

1. Time to read MIT-BIH and produce labelled beats of both leads: ecgbeat's
   :func:`ecgbeat.load_beats` (cold, then from its cache) against torch_ecg's own path, its
   ``MITDB`` reader inside ``MITDBDataset(task="beat_classification")`` for the training and
   the test records. Both read the same records from the same folder (a temporary folder of
   links, because torch_ecg writes working folders next to the data).
2. One torch_ecg classifier, ``ECG_CRNN`` with a narrowed ``resnet_nature_comm`` backbone
   (its default widths are about 7M parameters, too slow for CPU training), trained on DS1 and
   scored on DS2 by ecgbeat's evaluator, next to ecgbeat's default model trained with the same
   recipe on the same beats.

If torch_ecg cannot be imported, the script says so and ends with a JSON line marking it
unavailable (exit code 0). Usage::

    pip install torch-ecg     # needs pandas < 3; a separate virtual environment is safest
    ECGBEAT_DATA=/path/to/data python benchmarks/torch_ecg_comparison.py [--quick]
        [--epochs N] [--no-classifier]

``--quick`` reads 4 records (2 of DS1, 2 of DS2) and trains one epoch.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import warnings
from copy import deepcopy
from pathlib import Path

import numpy as np

import ecgbeat
from ecgbeat.datasets import get_database, locate
from ecgbeat.splits import DS1, DS2

#: Two DS1 and two DS2 records; 101 is in torch_ecg's fixed test list, whose dataset fails
#: on an empty part.
QUICK_RECORDS = ("101", "106", "105", "232")
EPOCHS = 5


def link_records(source: Path, records: list[str], target: Path) -> None:
    """Link the header, signal and annotation files of ``records`` into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for name in records:
        for suffix in (".hea", ".dat", ".atr"):
            (target / f"{name}{suffix}").symlink_to(source / f"{name}{suffix}")


def time_ecgbeat(folder: Path, records: list[str]) -> tuple[ecgbeat.BeatSet, float, float]:
    """ecgbeat beats of both leads: cold build, then the same call served by the cache."""
    with tempfile.TemporaryDirectory() as cache:
        os.environ["ECGBEAT_CACHE"] = cache
        times = []
        for _ in range(2):
            start = time.perf_counter()
            beats = ecgbeat.load_beats(
                "mitdb", data_dir=folder, records=records, protocol=None, leads="all"
            )
            float(beats.X.sum())  # a cached X is memory-mapped: count reading it
            times.append(time.perf_counter() - start)
    return beats, times[0], times[1]


def time_torch_ecg(folder: Path) -> tuple[int, tuple[int, ...], float]:
    """torch_ecg's beat-classification dataset over every record in ``folder``."""
    from torch_ecg.databases.datasets import MITDBDataset, MITDBTrainCfg

    config = deepcopy(MITDBTrainCfg)
    config.db_dir = folder
    start = time.perf_counter()
    # Its split puts a fixed list of records in the test part; both parts cover every record.
    parts = [
        MITDBDataset(config, task="beat_classification", training=training, lazy=False, verbose=0)
        for training in (True, False)
    ]
    n_beats = sum(len(part) for part in parts)
    elapsed = time.perf_counter() - start
    shape = next(part._all_data.shape for part in parts if len(part))
    return n_beats, tuple(shape[1:]), elapsed


def torch_ecg_crnn(num_classes: int, n_leads: int):
    """torch_ecg's ECG_CRNN, narrowed so that it trains on a CPU."""
    from torch_ecg.model_configs import ECG_CRNN_CONFIG
    from torch_ecg.models import ECG_CRNN

    config = deepcopy(ECG_CRNN_CONFIG)
    config.cnn.name = "resnet_nature_comm"
    config.rnn.name = "none"
    config.attn.name = "none"
    backbone = config.cnn.resnet_nature_comm
    backbone.stem.num_filters = 16
    backbone.num_filters = [32, 48, 64, 80]
    backbone.stem.filter_lengths = backbone.filter_lengths = 9
    config.clf.out_channels = [64]
    classes = [str(i) for i in range(num_classes)]
    return ECG_CRNN(classes, n_leads=n_leads, config=config)


def train_and_score(beats: ecgbeat.BeatSet, model, *, epochs: int, name: str) -> dict:
    """Train on DS1 with ecgbeat's default recipe, score DS2 with its evaluator."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        result = ecgbeat.train(
            beats=beats,
            protocol="inter-patient",
            model=model,
            members=1,  # one network per architecture
            epochs=epochs,
            out_dir=os.path.join(out, name),
            progress=False,
            n_bootstrap=0,
        )
    # NaN (a class never predicted has no +P) becomes null in the JSON line.
    figures = {
        k: None if np.isnan(v) else round(float(v), 4) for k, v in result.report.headline().items()
    }
    return {
        "params": sum(p.numel() for p in result.model.parameters()),
        "train_s": round(time.perf_counter() - start, 1),
        **figures,
    }


def _cell(value: float | None, width: int) -> str:
    return f"{'-' if value is None else f'{value:.3f}':>{width}}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="data folder (default: ECGBEAT_DATA)")
    parser.add_argument("--quick", action="store_true", help="4 records, 1 epoch")
    parser.add_argument("--epochs", type=int, default=None, help=f"default {EPOCHS}")
    parser.add_argument("--no-classifier", action="store_true", help="time the reading only")
    args = parser.parse_args()
    out = {"benchmark": "torch_ecg_comparison", "quick": args.quick}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import torch_ecg
    except Exception as err:  # any import failure means the comparison cannot run here
        print(
            f"torch_ecg is not available ({type(err).__name__}: {err}); install it with "
            "`pip install torch-ecg` (it needs pandas < 3) to run this comparison"
        )
        print(json.dumps({**out, "available": False, "reason": f"{type(err).__name__}: {err}"}))
        return 0
    warnings.filterwarnings("ignore", module="torch_ecg")

    source = locate("mitdb", data_dir=args.data_dir)
    records = list(QUICK_RECORDS if args.quick else get_database("mitdb").records)
    epochs = args.epochs or (1 if args.quick else EPOCHS)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "mitdb"
        link_records(source, records, folder)
        beats, cold, cached = time_ecgbeat(folder, records)
        te_beats, te_shape, te_time = time_torch_ecg(folder)

    print(f"MIT-BIH, {len(records)} records, both leads, {os.cpu_count()} cores\n")
    print(f"{'library and path':<44}{'beats':>8}{'beat shape':>12}{'seconds':>9}")
    rows = [
        ("ecgbeat load_beats, cold", len(beats), beats.X.shape[1:], cold),
        ("ecgbeat load_beats, cached", len(beats), beats.X.shape[1:], cached),
        ("torch_ecg MITDBDataset (beat_classification)", te_beats, te_shape, te_time),
    ]
    for label, n, shape, seconds in rows:
        print(f"{label:<44}{n:>8}{tuple(shape)!s:>12}{seconds:>9.2f}")
    out.update(
        {
            "available": True,
            "torch_ecg_version": torch_ecg.__version__,
            "records": len(records),
            "ecgbeat_beats": len(beats),
            "ecgbeat_cold_s": round(cold, 3),
            "ecgbeat_cached_s": round(cached, 3),
            "torch_ecg_beats": te_beats,
            "torch_ecg_s": round(te_time, 3),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "date": time.strftime("%Y-%m-%d"),
        }
    )

    if not args.no_classifier:
        # The MLII lead only, the inter-patient records, the same recipe for both models.
        inter = ecgbeat.load_beats(
            "mitdb",
            data_dir=source,
            records=[r for r in records if r in set(DS1) | set(DS2)],
            protocol="inter-patient",
        )
        crnn = torch_ecg_crnn(inter.num_classes, inter.X.shape[1])
        results = {
            "torch_ecg ECG_CRNN": train_and_score(inter, crnn, epochs=epochs, name="crnn"),
            "ecgbeat beatfusion": train_and_score(
                inter, "beatfusion", epochs=epochs, name="beatfusion"
            ),
        }
        print(f"\nDS1 -> DS2, {len(inter)} beats, {epochs} epoch(s), scored by ecgbeat.evaluate")
        print(f"{'model':<22}{'params':>10}{'acc':>7}{'macro F1':>9}{'SVEB F1':>8}{'VEB F1':>8}")
        for name, r in results.items():
            cells = [_cell(r[k], w) for k, w in (("accuracy", 7), ("macro_f1", 9),
                                                  ("sveb_f1", 8), ("veb_f1", 8))]  # fmt: skip
            print(f"{name:<22}{r['params']:>10,}{''.join(cells)}")
        out.update({"epochs": epochs, "inter_patient_beats": len(inter), "classifiers": results})
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
