"""Ablation: class weights, RR features and record template of the inter-patient recipe, on DS1.

Chooses between recipe variants without touching DS2: a patient-wise 3-fold
cross-validation over the 22 DS1 records. Each fold's held-out records are scored by a
model trained on the other records (with ``train()``'s own patient-wise validation split
inside them for early stopping, unless the variant holds out none), and the predictions
of the three folds are pooled. One split of four validation records holds a few dozen S
beats; the three folds hold all 944 S beats of DS1. The folds are fixed so that the
records richest in S beats (209, 201 and 207) fall into different folds.

Variants: square-root or balanced class weights (``class_weight_power`` 0.5 or 1; also 0.75
with the relative features); the ``beatfusion`` RR branch reading the 8 first RR features
(the data layer's before the centred-median ratios were added), only their 4 ratios, all
12 ratios (``ecgbeat.beats.RELATIVE_RR_FEATURES``), those 12 and the 4 ratios to the 90th
percentile, or only the 6 ratios of ``ecgbeat.beats.MAJORITY_FREE_RR_FEATURES``; the 12
ratios with an RR expert on the 6 (``expert_inputs``, weighted 0.75 or 0.5); beats with
or without each record's median beat subtracted (``BeatConfig.template``); and, with the
RR expert, a moving average of the weights (``ema_decay`` 0.998 or 0.99) or no validation
records at all (``val_fraction=0``: every training record, every epoch, the last kept),
the latter also with the expert voting on N, S and V only (``expert_classes``), and that
again on the training records less those a validation split would hold out (which parts
"more records" from "the last epoch"), and the expert voting on N, S and V with S calls
moved to N where the rhythm is disorganised (``fibrillation_merge``; only the predictions
change), and that recipe regularised more (AdamW weight decay 0.1 instead of 0.01, or
dropout 0.5 instead of 0.3 before the classifier), or with beats stretched in time during
training (``Augmentation(stretch=...)``, 0.1 or 0.2), or with the record template taken
from the beats that are not premature (``template="record-sinus"``), or with a wider RR
expert (``expert_hidden=128`` instead of 64) or one that also reads the rhythm's
``organisation``, or trained on a fresh half of the N beats each epoch
(``majority_fraction=0.5``) or with the focal loss; and the recipe that ships, F called
only at an F probability of at least 0.9 (``min_probability``; only the predictions
change).
Every other variant holds out a fifth of each fold's training records for early stopping
(patience 4). Everything else is the inter-patient recipe.

Three views of the same held-out predictions:

- ``cv``: every held-out beat.
- ``ectopic``: DS1 has no record whose majority is ectopic, and DS2 has one (record 232,
  three quarters S beats) whose S beats set its rhythm and its median beat. This view
  imitates such records within DS1: each held-out record with at least 50 S beats keeps
  every beat that is not N and a random share of its N beats, so that N beats are a
  quarter of what is left, and its per-record references (the RR means, medians and
  percentiles of ``ecgbeat.beats.interval_features``, and the record template) are
  computed again over those beats only. Each beat keeps its own RR intervals. The models
  are the same; only the held-out records change.
- ``blocked``: DS1 has no record in 2:1 conduction, and DS2 has one (record 231, 2:1
  atrioventricular block), whose doubled cycles set its 90th-percentile references, so
  that its beats conducted 1:1 look premature. This view imitates such records within
  DS1: in every held-out record, alternate stretches of 350 beats (random phase) lose
  every other N beat whose neighbours are both N, the removed beat's intervals join its
  neighbours', and the per-record references are computed again as in ``ectopic``. Only
  the intervals change: each window still shows the removed beat's QRS complex.

With ``--smoothing``, each variant also gets a row ``+ smoothing within records``: its
held-out probabilities smoothed, record by record as each view presents the records,
with the recipe's ``INTER_PATIENT_SMOOTHING`` (``ecgbeat.smoothing``; label-free, at
inference only, so the networks are the same).

With ``--rr-trees``, each variant is also fused with gradient-boosted trees
(scikit-learn's ``HistGradientBoostingClassifier``, balanced sample weights) fitted on the
training records' RR ratios alone: the weighted geometric mean of the two models'
probabilities, for trees on the 12 relative ratios and on the 6 majority-free ones.

Usage::

    python benchmarks/inter_patient_ablation.py --data-dir DIR [--seeds 0] [--epochs 8]
        [--variants 1 4]      # numbers of the variants below, from 1; default: all
        [--rr-trees 0.25 0.5 0.75]   # weights of the trees in the fusion
        [--smoothing]         # also score each variant smoothed within records
    python benchmarks/inter_patient_ablation.py --quick   # embedded sample, 2 folds, 1 epoch,
                                                          # with the smoothing rows

Prints a table and one JSON line (which also counts, per view, the N beats called S).
With more than one seed, each variant also gets a row ``(ensemble)``: the figures of the
mean class probabilities of its seeds (the trees are not fused into it).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from inter_patient import fuse, recipe_beats, rr_tree_probabilities  # the sibling script

import ecgbeat
from ecgbeat.beats import (
    MAJORITY_FREE_RR_FEATURES,
    RELATIVE_RR_FEATURES,
    RR_FEATURE_NAMES,
    interval_features,
)
from ecgbeat.evaluation import classification_metrics
from ecgbeat.labels import AAMI_CLASSES
from ecgbeat.pipeline import record_template, template_candidates
from ecgbeat.smoothing import smooth_within_records
from ecgbeat.splits import patient_folds
from ecgbeat.training import (
    INTER_PATIENT_EXPERT_CLASSES,
    INTER_PATIENT_FIBRILLATION_MERGE,
    INTER_PATIENT_MIN_PROBABILITY,
    INTER_PATIENT_SMOOTHING,
    Augmentation,
    make_folds,
)
from ecgbeat.training.api import DEFAULT_VAL_FRACTION

#: DS1 records held out by each fold; S-rich records 209, 201, 207 in different folds.
MITDB_FOLDS = (
    ("101", "106", "108", "109", "112", "118", "209"),
    ("114", "115", "116", "119", "122", "201", "220"),
    ("124", "203", "205", "207", "208", "215", "223", "230"),
)
FIRST_8 = RR_FEATURE_NAMES[:8]
RATIOS_4 = RELATIVE_RR_FEATURES[:4]
PERCENTILE_4 = tuple(name for name in RR_FEATURE_NAMES if name.endswith("_p90"))
#: The ectopic view: records with at least this many S beats, left with this share of N.
ECTOPIC_MIN_S, ECTOPIC_N_SHARE = 50, 0.25
#: The blocked view: beats per stretch of 2:1 conduction and per stretch of 1:1.
BLOCKED_STRETCH = 350
#: RR features of the trees fused with the network, by name.
TREE_FEATURES = {"12 ratios": RELATIVE_RR_FEATURES, "majority-free": MAJORITY_FREE_RR_FEATURES}
#: beatfusion's model_kwargs of the RR expert recipe: the 12 ratios, an expert on the 6.
RR_EXPERT = {"rr_inputs": RELATIVE_RR_FEATURES, "expert_inputs": MAJORITY_FREE_RR_FEATURES}
#: The same, the expert voting on N, S and V only (the inter-patient recipe).
RR_EXPERT_NSV = {
    **RR_EXPERT,
    "expert_classes": [AAMI_CLASSES.index(c) for c in INTER_PATIENT_EXPERT_CLASSES],
}
#: The same, S calls moved to N where the rhythm is disorganised (the inter-patient recipe).
RR_EXPERT_NSV_MERGE = {
    **RR_EXPERT_NSV,
    "fibrillation_merge": tuple(AAMI_CLASSES.index(c) for c in INTER_PATIENT_FIBRILLATION_MERGE),
}
#: The same, F called only at an F probability of at least 0.9 (the inter-patient recipe).
RR_EXPERT_NSV_MERGE_F = {
    **RR_EXPERT_NSV_MERGE,
    "min_probability": (
        AAMI_CLASSES.index(INTER_PATIENT_MIN_PROBABILITY[0]),
        INTER_PATIENT_MIN_PROBABILITY[1],
    ),
}
#: train() options that hold out no validation records and keep the last epoch.
NO_VALIDATION = {"val_fraction": 0.0, "patience": None}
#: A variant option, not train()'s: drop the records a validation split would hold out.
DROP_VALIDATION_RECORDS = "drop_validation_records"
#: name -> (class_weight_power, beatfusion's model_kwargs, template, other train() options)
VARIANTS = {
    "square-root weights, first 8 RR": (0.5, {"rr_inputs": FIRST_8}, "none", {}),
    "square-root weights, 4 ratios": (0.5, {"rr_inputs": RATIOS_4}, "none", {}),
    "balanced weights, first 8 RR": (1.0, {"rr_inputs": FIRST_8}, "none", {}),
    "balanced weights, 4 ratios": (1.0, {"rr_inputs": RATIOS_4}, "none", {}),
    "class weights ** 0.75, 4 ratios": (0.75, {"rr_inputs": RATIOS_4}, "none", {}),
    "balanced weights, 12 ratios": (1.0, {"rr_inputs": RELATIVE_RR_FEATURES}, "none", {}),
    "balanced weights, 12 ratios, template": (
        1.0,
        {"rr_inputs": RELATIVE_RR_FEATURES},
        "record-median",
        {},
    ),
    "square-root weights, 12 ratios, template": (
        0.5,
        {"rr_inputs": RELATIVE_RR_FEATURES},
        "record-median",
        {},
    ),
    "balanced weights, 12 + 4 percentile ratios, template": (
        1.0,
        {"rr_inputs": RELATIVE_RR_FEATURES + PERCENTILE_4},
        "record-median",
        {},
    ),
    "balanced weights, 6 majority-free ratios, template": (
        1.0,
        {"rr_inputs": MAJORITY_FREE_RR_FEATURES},
        "record-median",
        {},
    ),
    "balanced weights, 12 ratios, template, RR expert on the majority-free ratios": (
        1.0,
        RR_EXPERT,
        "record-median",
        {},
    ),
    "balanced weights, 12 ratios, template, RR expert weighted 0.5": (
        1.0,
        {**RR_EXPERT, "expert_weight": 0.5},
        "record-median",
        {},
    ),
    "balanced weights, 12 ratios, template, RR expert, weight average (EMA 0.998)": (
        1.0,
        RR_EXPERT,
        "record-median",
        {"ema_decay": 0.998},
    ),
    "balanced weights, 12 ratios, template, RR expert, weight average (EMA 0.99)": (
        1.0,
        RR_EXPERT,
        "record-median",
        {"ema_decay": 0.99},
    ),
    "balanced weights, 12 ratios, template, RR expert, no validation records (last epoch)": (
        1.0,
        RR_EXPERT,
        "record-median",
        NO_VALIDATION,
    ),
    "balanced weights, 12 ratios, template, RR expert on N, S and V, no validation records": (
        1.0,
        RR_EXPERT_NSV,
        "record-median",
        NO_VALIDATION,
    ),
    "the same, without the records a validation split holds out (the last epoch kept)": (
        1.0,
        RR_EXPERT_NSV,
        "record-median",
        {**NO_VALIDATION, DROP_VALIDATION_RECORDS: True},
    ),
    "RR expert on N, S and V, no validation records, S to N in disorganised rhythm": (
        1.0,
        RR_EXPERT_NSV_MERGE,
        "record-median",
        NO_VALIDATION,
    ),
    "the same, stronger weight decay (0.1)": (
        1.0,
        RR_EXPERT_NSV_MERGE,
        "record-median",
        {**NO_VALIDATION, "weight_decay": 0.1},
    ),
    "the same, stronger dropout before the classifier (0.5)": (
        1.0,
        {**RR_EXPERT_NSV_MERGE, "dropout": 0.5},
        "record-median",
        NO_VALIDATION,
    ),
    **{
        f"the same, beats stretched in time by up to {stretch:.0%}": (
            1.0,
            RR_EXPERT_NSV_MERGE,
            "record-median",
            {**NO_VALIDATION, "augment": Augmentation(stretch=stretch)},
        )
        for stretch in (0.1, 0.2)
    },
    "the same, the template from the beats that are not premature": (
        1.0,
        RR_EXPERT_NSV_MERGE,
        "record-sinus",
        NO_VALIDATION,
    ),
    "the same (median template), a wider RR expert (128 units)": (
        1.0,
        {**RR_EXPERT_NSV_MERGE, "expert_hidden": 128},
        "record-median",
        NO_VALIDATION,
    ),
    "the same, the RR expert also reads the rhythm's organisation": (
        1.0,
        {**RR_EXPERT_NSV_MERGE, "expert_inputs": (*MAJORITY_FREE_RR_FEATURES, "organisation")},
        "record-median",
        NO_VALIDATION,
    ),
    "the same (expert on the 6 ratios), each epoch a fresh half of the N beats": (
        1.0,
        RR_EXPERT_NSV_MERGE,
        "record-median",
        {**NO_VALIDATION, "majority_fraction": 0.5},
    ),
    "the same, focal loss (gamma 2)": (
        1.0,
        RR_EXPERT_NSV_MERGE,
        "record-median",
        {**NO_VALIDATION, "loss": "focal"},
    ),
    "the recipe: no focal loss, F called only at an F probability of at least 0.9": (
        1.0,
        RR_EXPERT_NSV_MERGE_F,
        "record-median",
        NO_VALIDATION,
    ),
}


def _own_intervals(beats: ecgbeat.BeatSet, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Copies of the previous and next RR intervals (seconds) of ``beats``' ``rows``."""
    names = list(beats.rr_names)
    return beats.rr[rows, names.index("pre_rr_s")], beats.rr[rows, names.index("post_rr_s")]


def _recompute_references(beats, X, rr, rows, pre, post) -> None:
    """Compute the per-record references of ``rows`` (one record's beats, in order, with
    previous and next intervals ``pre``, ``post``) again over those beats only: the RR
    features into ``rr``, the record template into ``X``."""
    rr[rows] = interval_features(pre, post, local_beats=beats.params["config"]["rr_local_beats"])
    if (template := beats.params["config"]["template"]) != "none":
        # The beats hold (beat - full-record template); the median is taken sample by
        # sample, so subtracting their own median leaves (beat - new template).
        X[rows] -= record_template(X[rows][template_candidates(rr[rows], template=template)])


def ectopic_view(beats: ecgbeat.BeatSet, *, seed: int = 0) -> ecgbeat.BeatSet:
    """The records of ``beats`` with >= ECTOPIC_MIN_S S beats, thinned of N beats until N is
    ECTOPIC_N_SHARE of each, their RR references and template computed over what is left."""
    rng = np.random.default_rng(seed)
    s, n = beats.classes.index("S"), beats.classes.index("N")
    X, rr = np.array(beats.X), np.array(beats.rr)
    keep = []
    for record in beats.records:
        rows = np.flatnonzero(beats.record == record)
        if (beats.y[rows] == s).sum() < ECTOPIC_MIN_S:
            continue
        normal, ectopic = rows[beats.y[rows] == n], rows[beats.y[rows] != n]
        k = round(len(ectopic) * ECTOPIC_N_SHARE / (1 - ECTOPIC_N_SHARE))
        kept = rng.choice(normal, size=min(k, len(normal)), replace=False)
        rows = np.concatenate([ectopic, kept])
        rows = rows[np.argsort(beats.sample[rows])]
        _recompute_references(beats, X, rr, rows, *_own_intervals(beats, rows))
        keep.append(rows)
    rows = np.sort(np.concatenate(keep))
    return replace(beats, X=X, rr=rr)[rows]


def blocked_view(beats: ecgbeat.BeatSet, *, seed: int = 1000) -> ecgbeat.BeatSet:
    """Every record of ``beats`` in 2:1 conduction over alternate stretches of
    BLOCKED_STRETCH beats (random phase): in those, every other N beat whose neighbours are
    both N is removed, never two in a row, and its intervals are added to its neighbours';
    the RR references and template are computed over the beats that are left."""
    rng = np.random.default_rng(seed)
    n = beats.classes.index("N")
    X, rr = np.array(beats.X), np.array(beats.rr)
    keep = []
    for record in beats.records:
        rows = np.flatnonzero(beats.record == record)
        rows = rows[np.argsort(beats.sample[rows])]
        pre, post = _own_intervals(beats, rows)
        normal = beats.y[rows] == n
        phase = rng.integers(2 * BLOCKED_STRETCH)
        blocked = (np.arange(len(rows)) + phase) // BLOCKED_STRETCH % 2 == 0
        drop = np.zeros(len(rows), dtype=bool)
        for i in range(1, len(rows) - 1):
            drop[i] = blocked[i] and normal[i - 1 : i + 2].all() and not drop[i - 1]
        # The removed beat's intervals join its neighbours' (never two removals in a row).
        post[np.flatnonzero(drop) - 1] += post[drop]
        pre[np.flatnonzero(drop) + 1] += pre[drop]
        _recompute_references(beats, X, rr, rows[~drop], pre[~drop], post[~drop])
        keep.append(rows[~drop])
    rows = np.sort(np.concatenate(keep))
    return replace(beats, X=X, rr=rr)[rows]


#: The views of the held-out predictions, in the order of the table: name -> view of DS1.
VIEWS = {"cv": lambda beats: beats, "ectopic": ectopic_view, "blocked": blocked_view}


def pooled_figures(y_true: np.ndarray, y_pred: np.ndarray, classes) -> dict:
    """Per-class one-vs-rest figures (not EC57's SVEB/VEB conventions) of pooled folds, and
    the number of N beats called S."""
    m = classification_metrics(y_true, y_pred, classes=classes)
    figures = {"accuracy": m.accuracy, "macro_f1": m.macro["f1"]}
    for label in ("S", "V"):
        k = classes.index(label)
        figures.update(
            {f"{label}_se": m.recall[k], f"{label}_ppv": m.precision[k], f"{label}_f1": m.f1[k]}
        )
    figures = {k: round(float(v), 4) for k, v in figures.items()}
    return {**figures, "N_as_S": int(m.confusion[classes.index("N"), classes.index("S")])}


def cross_validate(
    ds1,
    views,
    folds,
    *,
    power,
    model_kwargs,
    options,
    seed,
    epochs,
    tree_weights,
    smoothing: bool,
    out: Path,
):
    """Pooled held-out figures of one variant in each of ``views`` (name -> beats, the
    records of ``ds1`` or a view of them), alone, fused with trees and smoothed within
    records, and the network's pooled held-out labels and class probabilities per view."""
    y = {view: [] for view in views}
    proba = {"network": {view: [] for view in views}}
    options = dict(options)
    drop_validation = options.pop(DROP_VALIDATION_RECORDS, False)
    for k, held_out in enumerate(folds):
        train = ds1[~np.isin(ds1.record, held_out)]
        if drop_validation:
            # The records train() would hold out for early stopping with this seed, left
            # out altogether: as few training records as with early stopping, every epoch.
            train = make_folds(
                train, protocol=None, val_fraction=DEFAULT_VAL_FRACTION, seed=seed
            ).train
        held = {view: beats[np.isin(beats.record, held_out)] for view, beats in views.items()}
        held = {view: beats for view, beats in held.items() if len(beats)}
        result = ecgbeat.train(
            beats=train,
            protocol=None,
            model="beatfusion",
            model_kwargs=model_kwargs,
            class_weight_power=power,
            epochs=epochs,
            seed=seed,
            out_dir=out / f"fold{k}",
            progress=False,
            n_bootstrap=0,
            **{"patience": 4, **options},
        )
        for view, beats in held.items():
            y[view].append(beats.y)
            network = result.classifier.predict_proba(beats)
            proba["network"][view].append(network)
            if smoothing:
                smoothed = smooth_within_records(
                    network, beats.X, record=beats.record, smoothing=INTER_PATIENT_SMOOTHING
                )
                proba.setdefault("smoothed", {v: [] for v in views})[view].append(smoothed)
        if tree_weights:
            for name, names in TREE_FEATURES.items():
                scored = rr_tree_probabilities(train, list(held.values()), names)
                for view, p in zip(held, scored, strict=True):
                    proba.setdefault(name, {v: [] for v in views})[view].append(p)
    y = {view: np.concatenate(parts) for view, parts in y.items()}
    p = {m: {v: np.concatenate(parts) for v, parts in views.items()} for m, views in proba.items()}
    rows = {"": {v: pooled_figures(y[v], p["network"][v].argmax(1), ds1.classes) for v in y}}
    if smoothing:
        rows[" + smoothing within records"] = {
            v: pooled_figures(y[v], p["smoothed"][v].argmax(1), ds1.classes) for v in y
        }
    for name in TREE_FEATURES if tree_weights else ():
        for w in tree_weights:
            rows[f" + trees on {name} x{w:g}"] = {
                v: pooled_figures(
                    y[v], fuse(p["network"][v], p[name][v], weight=w).argmax(1), ds1.classes
                )
                for v in y
            }
    return rows, y, p["network"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="MIT-BIH folder (default: ECGBEAT_DATA)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument(
        "--variants", type=int, nargs="+", default=None, help="variant numbers, from 1"
    )
    parser.add_argument(
        "--rr-trees",
        type=float,
        nargs="+",
        default=[],
        metavar="WEIGHT",
        help="also fuse each variant with RR-feature trees, at these weights of the trees",
    )
    parser.add_argument(
        "--smoothing",
        action="store_true",
        help="also score each variant smoothed within records (INTER_PATIENT_SMOOTHING)",
    )
    parser.add_argument("--quick", action="store_true", help="embedded sample, 2 folds, 1 epoch")
    args = parser.parse_args()
    if not all(0 < w < 1 for w in args.rr_trees):
        parser.error(f"--rr-trees takes weights strictly between 0 and 1, got {args.rr_trees}")
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
    # The same views for every variant and seed of a template.
    view_beats = {
        template: {view: make(b) for view, make in VIEWS.items()} for template, b in ds1.items()
    }
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
            power, model_kwargs, template, options = VARIANTS[name]
            seed_proba = []
            for seed in args.seeds:
                start = time.perf_counter()
                fused, y, proba = cross_validate(
                    ds1[template],
                    view_beats[template],
                    folds,
                    power=power,
                    model_kwargs=model_kwargs,
                    options=options,
                    seed=seed,
                    epochs=epochs,
                    tree_weights=args.rr_trees,
                    # The quick run scores the smoothing too, so that CI runs its code.
                    smoothing=args.smoothing or args.quick,
                    out=Path(tmp) / f"{len(rows)}",
                )
                minutes = round((time.perf_counter() - start) / 60, 1)
                for suffix, views in fused.items():
                    rows.append(
                        {"variant": name + suffix, "seed": seed, "minutes": minutes, **views}
                    )
                seed_proba.append(proba)
            if len(args.seeds) > 1:
                # Mean class probabilities of the seeds over the same held-out beats, the
                # kind of ensemble the recipe ships.
                ensemble = {
                    view: pooled_figures(
                        y[view],
                        np.mean([p[view] for p in seed_proba], axis=0).argmax(1),
                        first.classes,
                    )
                    for view in y
                }
                rows.append({"variant": f"{name} (ensemble)", "seed": "all", **ensemble})

    columns = ("accuracy", "macro_f1", "S_se", "S_ppv", "S_f1", "V_f1")
    print(f"DS1, {len(folds)} patient-wise folds, {len(first)} beats; pooled held-out figures")
    width = max(len(row["variant"]) for row in rows) + 2
    header = "".join(f"{c:>10}" for c in columns)
    print(f"{'':<{width}}{'':>5}" + "  ".join(f"{view:^60}" for view in VIEWS))
    print(f"{'variant':<{width}}{'seed':>5}" + "  ".join(header for _ in VIEWS))
    for row in rows:
        cells = "  ".join("".join(f"{row[view][c]:>10.3f}" for c in columns) for view in VIEWS)
        print(f"{row['variant']:<{width}}{row['seed']:>5}{cells}")
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
