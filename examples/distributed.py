"""Distributed data parallel training with ``torchrun``: one process per GPU (or CPU worker).

``ecgbeat.train()`` detects ``torchrun`` on its own (NCCL on GPUs, gloo on CPU): each process
trains on its share of every epoch, gradients are averaged, and only the first process writes
the run folder. The script is the same as for one process::

    torchrun --standalone --nproc_per_node=2 examples/distributed.py --data-dir /path/to/data
    torchrun --standalone --nproc_per_node=2 examples/distributed.py --smoke   # CPU, gloo
"""

from __future__ import annotations

import argparse
import os

import ecgbeat
from ecgbeat.training import DEFAULT_MODEL


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="data folder (default: ECGBEAT_DATA)")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="zoo model (ecgbeat models)")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--out-dir", default="runs/distributed", help="run folder (must be new)")
    parser.add_argument("--smoke", action="store_true", help="embedded excerpt, CPU, one epoch")
    args = parser.parse_args()

    result = ecgbeat.train(
        "sample" if args.smoke else "mitdb",
        data_dir=args.data_dir,
        protocol="inter-patient",
        model="beatfusion_tiny" if args.smoke else args.model,
        epochs=1 if args.smoke else args.epochs,
        device="cpu" if args.smoke else "auto",
        out_dir=args.out_dir,
        progress=False,
        n_bootstrap=0 if args.smoke else 1000,
    )
    rank, world = os.environ.get("RANK", "0"), os.environ.get("WORLD_SIZE", "1")
    # Every process holds the same trained weights; the report exists on the first only.
    if result.report is not None:
        print(f"rank {rank} of {world}: {result.report.headline()}")
        print(f"checkpoint: {result.checkpoint}")
    else:
        print(f"rank {rank} of {world}: done")


if __name__ == "__main__":
    main()
