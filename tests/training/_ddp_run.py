"""Worker of test_distributed.py, launched with torch.distributed.run (2 processes, gloo)."""

from __future__ import annotations

import json
import sys

import ecgbeat
from ecgbeat.training import train

if __name__ == "__main__":
    out_dir = sys.argv[1]
    beats = ecgbeat.load_beats("sample")[::3]
    result = train(
        beats=beats,
        out_dir=out_dir,
        model="beatfusion_tiny",
        epochs=3,
        members=2,
        batch_size=64,
        augment=False,
        patience=None,
        progress=False,
        n_bootstrap=0,
        device="cpu",
    )
    if result.metrics is not None:
        # The first member's history, to compare with one network trained in one process.
        history = result.members[0].history
        (result.out_dir / "ddp_history.json").write_text(json.dumps(history))
