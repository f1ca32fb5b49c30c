"""Kaggle-style intra-patient reproduction: the 187-sample beats of Kachuee et al. 2018.

Trains the skip-connection CNN of the seed projects (``skipcnn``) with hybrid resampling to a
fixed number of beats per class, the recipe reported on the Kaggle "ECG Heartbeat
Categorization" CSVs, and scores it on the test CSV. Two sources of beats::

    # the Kaggle CSVs themselves (mitbih_train.csv and mitbih_test.csv in one folder)
    python examples/intra_patient_kaggle.py --kaggle-dir /path/to/kaggle
    # the same format cut from the raw MIT-BIH records (ECGBEAT_DATA or --data-dir)
    python examples/intra_patient_kaggle.py --data-dir /path/to/data
    # smoke: writes small CSVs in the Kaggle format from the embedded excerpt, then reads them
    python examples/intra_patient_kaggle.py --smoke

Beats of one patient land on both sides of this split, so the scores are optimistic; they
compare with the seed papers, not with inter-patient results.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import ecgbeat

#: The Kaggle heartbeat format: 125 Hz, min-max per 10 s window, 187 samples, no filter.
KAGGLE_CONFIG = ecgbeat.BeatConfig(segmentation="kachuee187", bandpass_hz=None)


def write_kaggle_csv(beats: ecgbeat.BeatSet, path: Path) -> None:
    """Write beats as Kaggle rows: 187 samples then the class index (0-4 for N, S, V, F, Q)."""
    rows = np.hstack([beats.X[:, 0, :], beats.y[:, None].astype(np.float32)])
    np.savetxt(path, rows, delimiter=",", fmt="%.6g")


def smoke_csvs(folder: Path) -> Path:
    """Small ``mitbih_train.csv`` / ``mitbih_test.csv`` cut from the embedded excerpt."""
    beats = ecgbeat.load_beats("sample", config=KAGGLE_CONFIG)
    train, test = beats.split("intra-patient", test_size=0.2, seed=0)
    folder.mkdir(parents=True, exist_ok=True)
    write_kaggle_csv(train, folder / "mitbih_train.csv")
    write_kaggle_csv(test, folder / "mitbih_test.csv")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--kaggle-dir", type=Path, help="folder with the two Kaggle CSVs")
    source.add_argument("--data-dir", help="raw data folder (default: ECGBEAT_DATA)")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--per-class", type=int, default=10_000, help="beats per class")
    parser.add_argument("--out-dir", default="runs/kaggle", help="run folder (must be new)")
    parser.add_argument("--smoke", action="store_true", help="tiny CSVs, one epoch")
    args = parser.parse_args()

    if args.smoke:
        args.kaggle_dir = smoke_csvs(Path(args.out_dir + "-csv"))
        args.epochs, args.per_class = 1, 100

    if args.kaggle_dir is not None:
        # The CSVs carry no patient ids: the test CSV is the test fold, and validation
        # beats are drawn (stratified) from the training CSV.
        train = ecgbeat.load_kaggle_csv(args.kaggle_dir / "mitbih_train.csv")
        test = ecgbeat.load_kaggle_csv(args.kaggle_dir / "mitbih_test.csv")
    else:
        # All 48 records as in the Kaggle set; the first channel, because the paced
        # records 102 and 104 have no MLII.
        beats = ecgbeat.load_beats(
            "mitdb",
            data_dir=args.data_dir,
            protocol="intra-patient",
            leads=0,
            config=KAGGLE_CONFIG,
        )
        train, test = beats.split("intra-patient", test_size=0.2, seed=0)
    print(f"train: {train}\ntest:  {test}")

    result = ecgbeat.train(
        beats=train,
        protocol=None,  # the test fold is scored below
        model="skipcnn",
        balance="hybrid",  # cut or repeat every class to per_class beats (training fold only)
        per_class=args.per_class,
        epochs=args.epochs,
        batch_size=32,
        lr=1e-3,
        out_dir=args.out_dir,
        progress=False,
    )
    report = ecgbeat.evaluate(result.classifier, test, n_bootstrap=0)
    print(report)
    report.to_json(Path(args.out_dir) / "test_report.json")
    print(f"test report: {Path(args.out_dir) / 'test_report.json'}")


if __name__ == "__main__":
    main()
