"""Benchmark: build the full MIT-BIH beat set from raw files, cold and cached.

Builds all 48 records (first channel, since the paced records 102 and 104 have no MLII):
filtering, segmentation, AAMI labels and RR features, then loads the same set again from
the cache. For scale it also times a plain per-beat Python loop over the 44 inter-patient
records (wfdb read, filter, slice, normalise), the way the seed projects build their data.

Usage: ``python benchmarks/data_pipeline.py [--data-dir DIR] [--quick]``; prints a table and
one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import wfdb
from scipy import signal as sps

from ecgbeat import load_beats
from ecgbeat.datasets import locate
from ecgbeat.splits import DS1, DS2


def per_beat_loop(folder: Path, records: list[str]) -> int:
    """The seed projects' way: one Python iteration per beat."""
    sos = sps.butter(4, [0.5, 40], btype="bandpass", fs=360, output="sos")
    n = 0
    beats = []
    for name in records:
        rec = wfdb.rdrecord(str(folder / name), channel_names=["MLII"])
        ann = wfdb.rdann(str(folder / name), "atr")
        x = sps.sosfiltfilt(sos, rec.p_signal[:, 0])
        for sample, symbol in zip(ann.sample, ann.symbol, strict=True):
            if symbol in "NLRejAaJSVEF/fQ" and 90 <= sample < len(x) - 162:
                beat = x[sample - 90 : sample + 162]
                beats.append((beat - beat.mean()) / (beat.std() + 1e-8))
                n += 1
    np.stack(beats)
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="MIT-BIH folder (default: ECGBEAT_DATA)")
    parser.add_argument("--quick", action="store_true", help="skip the per-beat loop baseline")
    args = parser.parse_args()
    folder = locate("mitdb", data_dir=args.data_dir)

    with tempfile.TemporaryDirectory() as cache:
        os.environ["ECGBEAT_CACHE"] = cache
        start = time.perf_counter()
        beats = load_beats("mitdb", data_dir=folder, protocol=None, leads=0)
        cold = time.perf_counter() - start
        # A later session finds the cache on disk; flushing the fresh write first keeps the
        # kernel's write-back out of the cached timing.
        os.sync()
        start = time.perf_counter()
        cached_beats = load_beats("mitdb", data_dir=folder, protocol=None, leads=0)
        cached = time.perf_counter() - start
        # The cached X is memory-mapped; reading every beat once shows the full cost.
        float(cached_beats.X.sum())
        cached_read = time.perf_counter() - start
    assert len(cached_beats) == len(beats)

    loop = None
    if not args.quick:
        start = time.perf_counter()
        per_beat_loop(folder, sorted(DS1 + DS2))
        loop = time.perf_counter() - start

    rows = [
        ("ecgbeat load_beats, 48 records, cold", cold),
        ("ecgbeat load_beats, 48 records, cached", cached),
        ("  ... and every cached beat read from disk", cached_read),
        ("plain per-beat loop, 44 records", loop),
    ]
    print(f"{'pipeline':<42} {'seconds':>8}")
    for name, seconds in rows:
        print(f"{name:<42} {'-' if seconds is None else f'{seconds:8.2f}':>8}")
    print(f"{len(beats)} beats, X {beats.X.shape}, {os.cpu_count()} cores")
    print(
        json.dumps(
            {
                "benchmark": "data_pipeline",
                "beats": len(beats),
                "records": beats.summary["records"],
                "cold_s": round(cold, 3),
                "cached_s": round(cached, 3),
                "cached_read_all_s": round(cached_read, 3),
                "per_beat_loop_s": None if loop is None else round(loop, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
