"""Benchmark: inter-patient accuracy on MIT-BIH, DS1 -> DS2, with EC57 gross statistics.

Trains one network of the default inter-patient recipe of ``ecgbeat.train`` per seed on
DS1 (every choice of the recipe was made on DS1 only), scores DS2 once per seed, and
reports the mean and spread over seeds, the seed ensembles (``ecgbeat.ensemble``: averaged
probabilities of ``--members`` consecutive seeds, as ``train()`` builds by default; with
``--out`` each is saved there as a checkpoint) with their mean and spread, and the
published inter-patient results next to them. ``--models`` runs other zoo models with the
same recipe (same beats, loss, schedule and selection).
Paced records 102, 104, 107, 217 are excluded; AAMI classes with the de Chazal mapping;
every beat of DS2 is scored.

``--rr-trees WEIGHT`` also scores each seed fused with gradient-boosted trees (scikit-learn's
``HistGradientBoostingClassifier``, balanced sample weights) fitted on DS1's
``ecgbeat.beats.MAJORITY_FREE_RR_FEATURES`` alone: the weighted geometric mean of the two
models' probabilities, the trees weighted WEIGHT (chosen on DS1 by
``benchmarks/inter_patient_ablation.py --rr-trees``).

Usage::

    python benchmarks/inter_patient.py --data-dir DIR [--seeds 0 1 2] [--members 3]
        [--epochs N] [--models beatfusion skipcnn ...] [--rr-trees 0.75] [--out DIR]
    python benchmarks/inter_patient.py --quick       # embedded sample, 1 seed, 2 epochs

Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.utils.class_weight import compute_sample_weight

import ecgbeat
from ecgbeat.beats import MAJORITY_FREE_RR_FEATURES
from ecgbeat.evaluation import INTER_PATIENT_RESULTS, evaluate_predictions

FIGURES = ("accuracy", "macro_f1", "sveb_se", "sveb_ppv", "sveb_f1", "veb_se", "veb_ppv", "veb_f1")


def recipe_beats(dataset: str, *, data_dir: str | None) -> ecgbeat.BeatSet:
    """The beats of ``train()``'s inter-patient recipe, DS1 and DS2."""
    return ecgbeat.load_beats(
        dataset,
        data_dir=data_dir,
        protocol="inter-patient",
        config=ecgbeat.training.INTER_PATIENT_CONFIG,
        leads=ecgbeat.training.INTER_PATIENT_LEADS,
    )


def rr_tree_probabilities(
    train: ecgbeat.BeatSet, scored: list[ecgbeat.BeatSet], names
) -> list[np.ndarray]:
    """Class probabilities of each of ``scored`` from trees fitted on ``train``'s RR
    features ``names`` alone, with balanced sample weights."""
    cols = [list(train.rr_names).index(name) for name in names]
    trees = HistGradientBoostingClassifier(max_iter=200, random_state=0)
    trees.fit(train.rr[:, cols], train.y, sample_weight=compute_sample_weight("balanced", train.y))
    probas = []
    for beats in scored:
        # A class missing from the training beats gets probability 0.
        proba = np.zeros((len(beats), train.num_classes))
        proba[:, trees.classes_] = trees.predict_proba(beats.rr[:, cols])
        probas.append(proba)
    return probas


def score(test: ecgbeat.BeatSet, scores: np.ndarray) -> dict:
    """EC57 headline figures of DS2 for the argmax of per-class ``scores``."""
    return evaluate_predictions(
        test.y,
        scores.argmax(axis=1),
        classes=test.classes,
        record=test.record,
        protocol="inter-patient",
        n_bootstrap=200,
    ).headline()


def fuse(network: np.ndarray, trees: np.ndarray, *, weight: float) -> np.ndarray:
    """Log of the weighted geometric mean of two models' probabilities (argmax-ready)."""
    return (1 - weight) * np.log(network + 1e-6) + weight * np.log(trees + 1e-6)


def run_seed(beats: ecgbeat.BeatSet, *, model: str, seed: int, epochs: int | None, out: Path):
    """Train one seed on DS1 and return its DS2 report and probabilities."""
    kwargs = {} if epochs is None else {"epochs": epochs}
    result = ecgbeat.train(
        beats=beats,
        protocol="inter-patient",
        model=model,
        seed=seed,
        # One network per seed: the ensembles are built from the seeds' checkpoints, so
        # that the single seeds are scored too.
        members=1,
        out_dir=out / f"{model}-seed{seed}",
        progress=False,
        n_bootstrap=200,
        **kwargs,
    )
    _, test = beats.split("inter-patient")
    return result, test, result.classifier.predict_proba(test)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="MIT-BIH folder (default: ECGBEAT_DATA)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--members",
        type=int,
        default=3,
        help="seeds per ensemble: consecutive groups of --seeds (1: no ensemble)",
    )
    parser.add_argument("--epochs", type=int, default=None, help="default: the recipe's")
    parser.add_argument(
        "--models", nargs="+", default=[ecgbeat.training.DEFAULT_MODEL], help="zoo models"
    )
    parser.add_argument("--out", default=None, help="keep the runs here (default: temporary)")
    parser.add_argument(
        "--rr-trees",
        type=float,
        default=None,
        metavar="WEIGHT",
        help="also score each seed fused with RR-feature trees at this weight",
    )
    parser.add_argument("--quick", action="store_true", help="embedded sample, 1 seed, 2 epochs")
    args = parser.parse_args()
    if args.rr_trees is not None and not 0 < args.rr_trees < 1:
        parser.error(f"--rr-trees takes a weight strictly between 0 and 1, got {args.rr_trees}")
    if args.quick:
        dataset, seeds, epochs, members = "sample", [0], 2, 1
    else:
        dataset, seeds, epochs, members = "mitdb", args.seeds, args.epochs, args.members
    if members < 1 or len(seeds) % members:
        parser.error(
            f"--members must divide the {len(seeds)} seeds into equal groups, got {members}"
        )

    # The recipe is train()'s inter-patient default (beatfusion on both leads, 1.8 s windows
    # at 180 Hz, relative RR features, balanced class weights, model selection on DS1
    # patients only). The beats are loaded once here and shared by every seed.
    beats = recipe_beats(dataset, data_dir=args.data_dir)
    recipe = {
        "config": beats.params["config"],
        "leads": list(beats.leads),
        "epochs": epochs,
        # train() smooths the default model's probabilities within records.
        "record_smoothing": ecgbeat.training.INTER_PATIENT_SMOOTHING.to_dict(),
    }
    train, test = beats.split("inter-patient")
    if args.rr_trees is not None:
        (trees,) = rr_tree_probabilities(train, [test], MAJORITY_FREE_RR_FEATURES)
        recipe["rr_trees"] = {"weight": args.rr_trees, "features": MAJORITY_FREE_RR_FEATURES}
    models = args.models + [f"{m} + RR trees" for m in args.models if args.rr_trees is not None]
    rows, ensembles = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.out or tmp)
        for model in args.models:
            classifiers = []
            for seed in seeds:
                start = time.perf_counter()
                result, test, proba = run_seed(
                    beats, model=model, seed=seed, epochs=epochs, out=out
                )
                row = {
                    "model": model,
                    "seed": seed,
                    "minutes": (time.perf_counter() - start) / 60,
                    "epochs": len(result.history),
                    # None where the recipe holds out no validation records.
                    "val_macro_f1": max(
                        (h["val_macro_f1"] for h in result.history if "val_macro_f1" in h),
                        default=None,
                    ),
                }
                rows.append({**row, **result.report.headline()})
                classifiers.append(result.classifier)
                if args.rr_trees is not None:
                    fused = score(test, fuse(proba, trees, weight=args.rr_trees))
                    rows.append({**row, **fused, "model": f"{model} + RR trees"})
            ensembles[model] = []
            # One seed per group is no ensemble (--members 1).
            starts = range(0, len(seeds), members) if members > 1 else []
            for start in starts:
                group = seeds[start : start + members]
                # Scored through ecgbeat.ensemble: the classifier that is saved and shipped.
                combined = ecgbeat.ensemble(classifiers[start : start + members])
                if args.out:
                    combined.save(out / f"{model}-ensemble-seeds{'-'.join(map(str, group))}.pt")
                figures = score(test, combined.predict_proba(test))
                ensembles[model].append({"seeds": group, **figures})

    print(f"DS2: {len(test)} beats, {len(test.records)} records; recipe: {json.dumps(recipe)}")
    print(f"{'run':<40}" + "".join(f"{f:>10}" for f in FIGURES))
    summary = {}
    for model in models:
        runs = [r for r in rows if r["model"] == model]
        for row in runs:
            print(f"{model + ' seed ' + str(row['seed']):<40}" + _cells(row))
        summary[model] = _spread(runs)
        for kind, figures in summary[model].items():
            print(f"{model + ' ' + kind:<40}" + _cells(figures))
        if groups := ensembles.get(model):
            for group in groups:
                seeds_run = "-".join(map(str, group["seeds"]))
                print(f"{model + ' ensemble of seeds ' + seeds_run:<40}" + _cells(group))
            summary[model]["ensembles"] = groups
            for kind, figures in _spread(groups).items():
                summary[model][f"ensemble_{kind}"] = figures
                print(f"{model + ' ensemble_' + kind:<40}" + _cells(figures))
    print("\npublished (DS2, gross, %)      acc  SVEB Se  SVEB +P  VEB Se  VEB +P")
    for paper in INTER_PATIENT_RESULTS:
        values = (paper.accuracy, paper.sveb_se, paper.sveb_ppv, paper.veb_se, paper.veb_ppv)
        print(f"{paper.method:<28}" + "".join(f"{v:>9}" for v in values))
    print(
        json.dumps(
            {
                "benchmark": "inter_patient",
                "dataset": dataset,
                "seeds": seeds,
                "n_test_beats": len(test),
                "models": summary,
                "per_seed": rows,
                "recipe": recipe,
            }
        )
    )


def _spread(rows: list[dict]) -> dict[str, dict[str, float]]:
    """Mean and standard deviation of each figure over runs (seeds or ensembles)."""
    return {
        "mean": {f: float(np.mean([r[f] for r in rows])) for f in FIGURES},
        "std": {f: float(np.std([r[f] for r in rows])) for f in FIGURES},
    }


def _cells(figures: dict) -> str:
    return "".join(f"{figures[f]:>10.3f}" for f in FIGURES)


if __name__ == "__main__":
    main()
