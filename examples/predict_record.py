"""Predict a raw record: every beat located, classified and flagged, from the samples alone.

No annotations are used: R peaks are detected, beats are cut and filtered with the recipe
stored in the checkpoint, and each beat gets a class, its probabilities and an uncertainty.
The record is a WFDB path, a CSV or a NumPy file (``--fs`` for the last two)::

    python examples/predict_record.py --checkpoint runs/quickstart/best.pt --record /data/mitdb/208
    python examples/predict_record.py --smoke     # trains one epoch, predicts an embedded record

Writes ``beats.csv`` (one row per beat) and ``record.png`` (a strip of the first 30 s).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import ecgbeat
from ecgbeat import plots
from ecgbeat.datasets import locate
from ecgbeat.predict import predict_record, read_signal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", help="a checkpoint of ecgbeat.train (default: train one)")
    parser.add_argument("--record", help="WFDB path, .csv or .npy (default: embedded record 208)")
    parser.add_argument("--fs", type=float, default=None, help="sampling rate of a CSV/NPY file")
    parser.add_argument("--smoke", action="store_true", help="train one epoch first")
    args = parser.parse_args()

    if args.checkpoint is None:
        result = ecgbeat.train(
            "sample",
            protocol="intra-patient",
            model="beatfusion_tiny" if args.smoke else "cnn_stages",
            epochs=1 if args.smoke else 10,
            out_dir=Path(tempfile.mkdtemp()) / "run",
            progress=False,
            n_bootstrap=0,
        )
        args.checkpoint = result.checkpoint
    clf = ecgbeat.load(args.checkpoint)
    record = args.record or str(locate("sample") / "208")

    # One call from raw samples to the beat table (chunked, so a 24-hour Holter fits in memory).
    table = predict_record(clf, record, fs=args.fs)
    print(table)
    print("beats per predicted class:", table.counts())
    print(f"beat table: {table.to_csv('beats.csv', overwrite=True)}")

    # The strip chart needs the samples themselves, read the way predict_record reads them.
    signal, fs, _, _ = read_signal(record, fs=args.fs)
    fig = plots.record_strip(signal, table, fs=fs, duration_s=30)
    print(f"strip chart: {plots.save_figure(fig, 'record.png')}")


if __name__ == "__main__":
    main()
