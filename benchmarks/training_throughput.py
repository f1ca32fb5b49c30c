"""Training throughput and time-to-quality: ecgbeat's trainer against a plain PyTorch loop.

Both train the skip-connection CNN (``skipcnn``) on the same beats of MIT-BIH DS1 records,
in one process, and are validated on the same held-out beats:

* plain loop: ``TensorDataset`` + ``DataLoader(batch_size=32, shuffle=True)``, Adam at
  1e-3, cross-entropy, a fixed epoch budget (the way the seed projects train);
* ecgbeat: :func:`ecgbeat.training.fit` as ``ecgbeat.train(balance="none",
  majority_fraction=0.5)`` runs it: tensor-resident batches of
  :func:`~ecgbeat.training.auto_batch_size`, AdamW with a one-cycle schedule, gradient
  clipping, bfloat16 autocast where the CPU computes it natively, and epochs that take
  every beat of the rare classes but a fresh random half of the N beats, with an
  unweighted loss (the under-sampling already leans towards the rare classes). With
  ``train()``'s default square-root class weights and whole epochs it reaches the target
  later (docs: "Benchmarks"). Augmentation is off on both sides: it is a regulariser for
  new patients, and this benchmark scores beats of the training patients, so it would only
  make the two loops fit different data.

This measures how fast each loop optimises, not how well a model generalises to new
patients (that is ``inter_patient.py``): the validation beats are a stratified quarter of
the beats of the same 11 records (beat-level split). With held-out patients, macro F1
after a few epochs on 8 training records sits near chance and is decided by a handful of
beats, which would make any time-to-quality figure noise. The epoch budget is the same
for both.

It prints (a) beats/s of both at batch size 32, (b) the wall time each needs to reach the
plain loop's best validation macro F1, and their ratio, then one JSON line.

Usage::

    ECGBEAT_DATA=/path/to/data python benchmarks/training_throughput.py [--quick] [--device auto]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch
from sklearn.metrics import f1_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import ecgbeat
from ecgbeat.models import create_model
from ecgbeat.training import (
    TrainerConfig,
    auto_batch_size,
    autocast_dtype,
    fit,
    resolve_device,
)

FULL = {
    "records": ("101", "106", "118", "119", "124", "201", "208", "209", "215", "220", "223"),
    "epochs": 8,
}
QUICK = {"records": ("106", "119", "209", "223"), "epochs": 2}
#: Share of the N beats in each of ecgbeat's epochs.
MAJORITY_FRACTION = 0.5


def _model(beats: ecgbeat.BeatSet, seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return create_model(
        "skipcnn",
        num_classes=beats.num_classes,
        in_channels=beats.X.shape[1],
        input_length=beats.X.shape[2],
        num_rr_features=beats.rr.shape[1],
    )


def _val_f1(model: nn.Module, val: ecgbeat.BeatSet, device: torch.device) -> float:
    model.eval()
    with torch.no_grad():
        x = torch.tensor(val.X, device=device)
        pred = torch.cat([model(x[i : i + 1024]).argmax(1) for i in range(0, len(x), 1024)])
    model.train()
    return float(f1_score(val.y, pred.cpu().numpy(), average="macro"))


def plain_loop(train, val, *, epochs: int, device: torch.device, seed: int = 0) -> list[dict]:
    """The seed projects' loop: DataLoader batches of 32, Adam 1e-3, one validation per epoch."""
    model = _model(train, seed).to(device)
    loader = DataLoader(
        TensorDataset(torch.tensor(train.X), torch.tensor(train.y)),
        batch_size=32,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    history, elapsed = [], 0.0
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            optimizer.zero_grad()
            criterion(model(xb), yb).backward()
            optimizer.step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        train_s = time.perf_counter() - start
        f1 = _val_f1(model, val, device)
        elapsed += time.perf_counter() - start
        history.append(
            {
                "epoch": epoch,
                "val_macro_f1": f1,
                "elapsed_s": elapsed,
                "beats_per_s": len(train) / train_s,
            }
        )
    return history


def ecgbeat_fit(
    train,
    val,
    *,
    config: TrainerConfig,
    device: torch.device,
) -> list[dict]:
    """ecgbeat's trainer; elapsed time is the sum of its per-epoch times."""
    history = fit(
        _model(train, config.seed),
        train,
        val,
        config=config,
        criterion=nn.CrossEntropyLoss(),
        device=device,
        progress=False,
    ).history
    elapsed = np.cumsum([h["time_s"] for h in history])
    return [{**h, "elapsed_s": float(t)} for h, t in zip(history, elapsed, strict=True)]


def time_to(history: list[dict], target: float) -> float | None:
    """Wall time at the first epoch whose validation macro F1 reaches ``target``."""
    return next((h["elapsed_s"] for h in history if h["val_macro_f1"] >= target - 1e-9), None)


def run(*, quick: bool, device: str) -> dict:
    setup = QUICK if quick else FULL
    dev = resolve_device(device)
    beats = ecgbeat.load_beats("mitdb", records=setup["records"])
    train, val = beats.split("intra-patient", test_size=0.25, seed=0)
    epochs = setup["epochs"]

    plain = plain_loop(train, val, epochs=epochs, device=dev)
    # Throughput at equal batch size: one epoch of our trainer at batch 32, no schedule.
    ours_32 = ecgbeat_fit(
        train,
        val,
        device=dev,
        config=TrainerConfig(epochs=1, batch_size=32, lr=1e-3, schedule="constant", patience=None),
    )
    ours = ecgbeat_fit(
        train,
        val,
        device=dev,
        config=TrainerConfig(
            epochs=epochs,
            batch_size=auto_batch_size(len(train)),
            majority_fraction=MAJORITY_FRACTION,
        ),
    )

    target = max(h["val_macro_f1"] for h in plain)
    t_plain, t_ours = time_to(plain, target), time_to(ours, target)
    plain_bps = float(np.median([h["beats_per_s"] for h in plain]))
    ours_bps = len(train) / ours_32[0]["time_s"]
    return {
        "device": str(dev),
        "ecgbeat_autocast": str(autocast_dtype(dev)),
        "quick": quick,
        "n_train": len(train),
        "n_val": len(val),
        "epochs": epochs,
        "ecgbeat_majority_fraction": MAJORITY_FRACTION,
        "plain_beats_per_s_bs32": round(plain_bps, 1),
        "ecgbeat_beats_per_s_bs32": round(ours_bps, 1),
        "throughput_ratio_bs32": round(ours_bps / plain_bps, 3),
        "target_val_macro_f1": round(target, 4),
        "plain_time_to_target_s": t_plain,
        "ecgbeat_time_to_target_s": t_ours,
        "ecgbeat_best_val_macro_f1": round(max(h["val_macro_f1"] for h in ours), 4),
        "time_to_quality_ratio": None if t_ours is None else round(t_plain / t_ours, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 records, 2 epochs (~1 min)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, mps")
    args = parser.parse_args()
    devices = [args.device]
    if args.device == "auto" and torch.cuda.is_available():
        devices.append("cpu")
    for device in devices:
        result = run(quick=args.quick, device=device)
        print(
            f"\ndevice {result['device']}: {result['n_train']} training beats, "
            f"{result['n_val']} validation beats, {result['epochs']} epochs"
        )
        print(f"{'':28s}{'plain loop':>14s}{'ecgbeat':>14s}")
        print(
            f"{'beats/s at batch 32':28s}{result['plain_beats_per_s_bs32']:>14}"
            f"{result['ecgbeat_beats_per_s_bs32']:>14}"
        )
        print(
            f"{'time to val F1 target (s)':28s}{result['plain_time_to_target_s']!s:>14.8}"
            f"{result['ecgbeat_time_to_target_s']!s:>14.8}"
        )
        print(
            f"target macro F1 {result['target_val_macro_f1']}, "
            f"time-to-quality ratio {result['time_to_quality_ratio']}"
        )
        print(json.dumps(result))


if __name__ == "__main__":
    main()
