"""Distributed data parallel through torchrun: 2 CPU processes with the gloo backend."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from ecgbeat.training import load, train

WORKER = Path(__file__).with_name("_ddp_run.py")


def test_a_two_process_gloo_ensemble_completes_and_follows_the_single_process_loss(
    small_beats, tmp_path
):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node=2",
        "--standalone",
        str(WORKER),
        str(tmp_path / "ddp"),
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    ddp = json.loads((tmp_path / "ddp" / "ddp_history.json").read_text())
    assert (tmp_path / "ddp" / "best.pt").is_file()
    assert all((tmp_path / "ddp" / f"seed-{s}" / "best.pt").is_file() for s in (0, 1))
    assert len(load(tmp_path / "ddp" / "best.pt").model.members) == 2

    single = train(
        beats=small_beats,
        out_dir=tmp_path / "single",
        model="beatfusion_tiny",
        epochs=3,
        members=1,
        batch_size=64,
        augment=False,
        patience=None,
        progress=False,
        n_bootstrap=0,
        device="cpu",
    ).history
    ddp_loss = np.array([h["train_loss"] for h in ddp])
    single_loss = np.array([h["train_loss"] for h in single])
    assert [h["epoch"] for h in ddp] == [1, 2, 3]
    assert ddp_loss[-1] < ddp_loss[0] and single_loss[-1] < single_loss[0]
    # Same global batches and schedule. Per-process BatchNorm statistics and the per-process
    # normalisation of the class-weighted loss make single epochs differ; the trend agrees.
    np.testing.assert_allclose(ddp_loss[-1], single_loss[-1], rtol=0.25)
