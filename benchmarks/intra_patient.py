"""Benchmark: intra-patient accuracy (beat-level stratified split) of the model zoo on MIT-BIH.

The seed projects' protocol: the beats of every record are pooled and split at random
(stratified by class, 80 / 20), so beats of one patient sit on both sides and the scores are
optimistic; compare them with the seed papers, never with inter-patient results. All 48
records, first channel (MLII except records 102 and 104, which have no MLII), 5 AAMI classes
(de Chazal mapping). Every model trains with :func:`ecgbeat.train` and one short recipe
(class-weighted loss, AdamW with one-cycle schedule, batch 256, a few epochs, validation on a
patient-wise fold of the training beats) and is scored on the same test beats.

Usage::

    ECGBEAT_DATA=/path/to/data python benchmarks/intra_patient.py [--quick]
        [--epochs N] [--models cnn3 ...] [--records 100 101 ...] [--device auto]

``--quick`` takes 4 records, 3 models and 1 epoch (about a minute). Prints a table and one
JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time

import torch

import ecgbeat

QUICK = {
    "records": ("106", "208", "209", "232"),  # every AAMI class but Q, a few thousand beats
    "models": ("cnn_stages", "kachuee_resnet", "beatfusion"),
    "epochs": 1,
}
EPOCHS = 5


def run_model(beats: ecgbeat.BeatSet, model: str, *, epochs: int, device: str) -> dict:
    """Train one model on the intra-patient split of ``beats``; its test figures and time."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        result = ecgbeat.train(
            beats=beats,
            protocol="intra-patient",
            model=model,
            epochs=epochs,
            device=device,
            out_dir=os.path.join(out, "run"),
            progress=False,
            n_bootstrap=0,
            seed=0,
        )
    headline = result.report.headline()
    return {
        "accuracy": round(headline["accuracy"], 4),
        "macro_f1": round(headline["macro_f1"], 4),
        "params": sum(p.numel() for p in result.model.parameters()),
        "epochs_run": len(result.history),
        "train_s": round(time.perf_counter() - start, 1),
        "n_test": result.report.n_beats,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="data folder (default: ECGBEAT_DATA)")
    parser.add_argument("--quick", action="store_true", help="4 records, 3 models, 1 epoch")
    parser.add_argument("--epochs", type=int, default=None, help=f"default {EPOCHS}")
    parser.add_argument("--models", nargs="*", default=None, help="default: the whole zoo")
    parser.add_argument("--records", nargs="*", default=None, help="default: all 48")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, mps")
    args = parser.parse_args()
    epochs = args.epochs or (QUICK["epochs"] if args.quick else EPOCHS)
    models = args.models or (QUICK["models"] if args.quick else ecgbeat.list_models())
    records = args.records or (QUICK["records"] if args.quick else None)

    beats = ecgbeat.load_beats(
        "mitdb", data_dir=args.data_dir, records=records, protocol="intra-patient", leads=0
    )
    print(f"{beats}\n{epochs} epoch(s), device {args.device}, {os.cpu_count()} cores")
    # Each row is printed as soon as its model is done, so a long run shows progress.
    print(f"\n{'model':<16}{'params':>9}{'accuracy':>10}{'macro F1':>10}{'train s':>9}")
    results = {}
    for name in models:
        r = results[name] = run_model(beats, name, epochs=epochs, device=args.device)
        print(
            f"{name:<16}{r['params']:>9,}{r['accuracy']:>10.4f}{r['macro_f1']:>10.4f}"
            f"{r['train_s']:>9.1f}",
            flush=True,
        )
    print(
        json.dumps(
            {
                "benchmark": "intra_patient",
                "quick": args.quick,
                "records": len(beats.records),
                "beats": len(beats),
                "epochs": epochs,
                "device": args.device,
                "torch_threads": torch.get_num_threads(),
                "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                "date": time.strftime("%Y-%m-%d"),
                "models": results,
            }
        )
    )


if __name__ == "__main__":
    main()
