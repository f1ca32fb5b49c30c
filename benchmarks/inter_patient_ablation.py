"""Ablation: class weights, RR features and record template of the inter-patient recipe, on DS1.

Chooses between recipe variants without touching DS2: a patient-wise 3-fold
cross-validation over the 22 DS1 records. Each fold's held-out records are scored by a
model trained on the other records (with ``train()``'s own patient-wise validation split
inside them for early stopping), and the predictions of the three folds are pooled. One
split of four validation records holds a few dozen S beats; the three folds hold all 944
S beats of DS1. The folds are fixed so that the records richest in S beats (209, 201 and
207) fall into different folds.

Variants: square-root or balanced class weights (``class_weight_power`` 0.5 or 1; also 0.75
with the relative features); the ``beatfusion`` RR branch reading the 8 first RR features
(the data layer's before the centred-median ratios were added), only their 4 ratios, or all
12 ratios (``ecgbeat.beats.RELATIVE_RR_FEATURES``); and beats with or without each
record's median beat subtracted (``BeatConfig.template``). Everything else is the
inter-patient recipe.

Usage::

    python benchmarks/inter_patient_ablation.py --data-dir DIR [--seeds 0] [--epochs 8]
        [--variants 1 4]      # numbers of the variants below, from 1; default: all
    python benchmarks/inter_patient_ablation.py --quick   # embedded sample, 2 folds, 1 epoch

Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from inter_patient import recipe_beats  # the sibling script: the same beats

import ecgbeat
from ecgbeat.beats import RELATIVE_RR_FEATURES, RR_FEATURE_NAMES
from ecgbeat.evaluation import classification_metrics
from ecgbeat.splits import patient_folds

#: DS1 records held out by each fold; S-rich records 209, 201, 207 in different folds.
MITDB_FOLDS = (
    ("101", "106", "108", "109", "112", "118", "209"),
    ("114", "115", "116", "119", "122", "201", "220"),
    ("124", "203", "205", "207", "208", "215", "223", "230"),
)
FIRST_8 = RR_FEATURE_NAMES[:8]
RATIOS_4 = RELATIVE_RR_FEATURES[:4]
#: name -> (class_weight_power, rr_inputs, template)
VARIANTS = {
    "square-root weights, first 8 RR": (0.5, FIRST_8, "none"),
    "square-root weights, 4 ratios": (0.5, RATIOS_4, "none"),
    "balanced weights, first 8 RR": (1.0, FIRST_8, "none"),
    "balanced weights, 4 ratios": (1.0, RATIOS_4, "none"),
    "class weights ** 0.75, 4 ratios": (0.75, RATIOS_4, "none"),
    "balanced weights, 12 ratios": (1.0, RELATIVE_RR_FEATURES, "none"),
    "balanced weights, 12 ratios, template": (1.0, RELATIVE_RR_FEATURES, "record-median"),
    "square-root weights, 12 ratios, template": (0.5, RELATIVE_RR_FEATURES, "record-median"),
}


def cross_validate(ds1, folds, *, power, rr_inputs, seed, epochs, out: Path) -> dict:
    """Pooled held-out figures of one variant over the folds."""
    y_true, y_pred = [], []
    for k, held_out in enumerate(folds):
        test = np.isin(ds1.record, held_out)
        result = ecgbeat.train(
            beats=ds1[~test],
            protocol=None,
            model="beatfusion",
            model_kwargs={"rr_inputs": rr_inputs},
            class_weight_power=power,
            epochs=epochs,
            patience=4,
            seed=seed,
            out_dir=out / f"fold{k}",
            progress=False,
            n_bootstrap=0,
        )
        y_true.append(ds1.y[test])
        y_pred.append(result.classifier.predict(ds1[test]))
    # Per-class one-vs-rest figures of the pooled folds (not EC57's SVEB/VEB conventions).
    m = classification_metrics(np.concatenate(y_true), np.concatenate(y_pred), classes=ds1.classes)
    figures = {"accuracy": m.accuracy, "macro_f1": m.macro["f1"]}
    for label in ("S", "V"):
        k = ds1.classes.index(label)
        figures.update(
            {f"{label}_se": m.recall[k], f"{label}_ppv": m.precision[k], f"{label}_f1": m.f1[k]}
        )
    return {k: round(float(v), 4) for k, v in figures.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="MIT-BIH folder (default: ECGBEAT_DATA)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument(
        "--variants", type=int, nargs="+", default=None, help="variant numbers, from 1"
    )
    parser.add_argument("--quick", action="store_true", help="embedded sample, 2 folds, 1 epoch")
    args = parser.parse_args()
    dataset = "sample" if args.quick else "mitdb"
    names = list(VARIANTS)
    if args.variants is not None:
        if not set(args.variants) <= set(range(1, len(names) + 1)):
            parser.error(f"--variants takes numbers from 1 to {len(names)}: {names}")
        names = [names[k - 1] for k in args.variants]
    # DS1 beats of the recipe, with and without the record template, as the variants need.
    recipe = recipe_beats(dataset, data_dir=args.data_dir)
    beats = {
        template: recipe
        if template == recipe.params["config"]["template"]
        else ecgbeat.load_beats(
            dataset,
            data_dir=args.data_dir,
            protocol="inter-patient",
            config=replace(ecgbeat.training.INTER_PATIENT_CONFIG, template=template),
            leads=ecgbeat.training.INTER_PATIENT_LEADS,
        )
        for template in {VARIANTS[name][2] for name in names}
    }
    ds1 = {template: b.split("inter-patient")[0] for template, b in beats.items()}
    first = next(iter(ds1.values()))  # the same records and labels in every variant
    if args.quick:
        folds = [
            tuple(np.unique(first.record[held]))
            for _, held in patient_folds(first.record, first.y, n_splits=2)
        ]
        epochs = 1
    else:
        folds, epochs = MITDB_FOLDS, args.epochs

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            power, rr_inputs, template = VARIANTS[name]
            for seed in args.seeds:
                start = time.perf_counter()
                figures = cross_validate(
                    ds1[template],
                    folds,
                    power=power,
                    rr_inputs=rr_inputs,
                    seed=seed,
                    epochs=epochs,
                    out=Path(tmp) / f"{len(rows)}",
                )
                minutes = round((time.perf_counter() - start) / 60, 1)
                rows.append({"variant": name, "seed": seed, "minutes": minutes, **figures})

    columns = ("accuracy", "macro_f1", "S_se", "S_ppv", "S_f1", "V_f1")
    print(f"DS1, {len(folds)} patient-wise folds, {len(first)} beats; pooled held-out figures")
    print(f"{'variant':<46}{'seed':>5}" + "".join(f"{c:>10}" for c in columns))
    for row in rows:
        cells = "".join(f"{row[c]:>10.3f}" for c in columns)
        print(f"{row['variant']:<46}{row['seed']:>5}{cells}")
    print(
        json.dumps(
            {
                "benchmark": "inter_patient_ablation",
                "dataset": dataset,
                "folds": [list(f) for f in folds],
                "epochs": epochs,
                "runs": rows,
            }
        )
    )


if __name__ == "__main__":
    main()
