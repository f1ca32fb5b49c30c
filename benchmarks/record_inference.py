"""Benchmark: record-level prediction on a 24-hour, 2-lead, 360 Hz recording on CPU.

Builds a 24-hour Holter-like recording by concatenating the 48 MIT-BIH Arrhythmia records
(30 min each, both leads, MLII or the first channel first) and times
``ecgbeat.predict.predict_record`` from raw samples to the beat table (filtering,
chunked R-peak detection, segmentation, RR features, batched inference, flags). Reports
the real-time factor (seconds of ECG per second of compute), the peak resident memory,
and, measured in the same run on a subset of beats, the seed-style loop that calls the
model once per beat, extrapolated to every beat of the recording.

Usage: ``python benchmarks/record_inference.py [--checkpoint best.pt] [--data-dir DIR]
[--quick]``. Without a checkpoint a model (``--model``, default ``beatfusion``) is trained
for 1 epoch on the embedded sample first: the speed of a network does not depend on how
well it is trained. ``--quick`` uses 2 records (1 hour of ECG). Prints a table and ends
with one JSON line of the figures.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import tempfile
import time

import numpy as np
import torch
import wfdb

import ecgbeat
from ecgbeat.datasets import get_database, locate
from ecgbeat.pipeline import extract_beats
from ecgbeat.predict import predict_record


def holter(folder, records) -> np.ndarray:
    """The records' two leads end to end: (2, n_samples), float32 (as a recorder stores)."""
    parts = []
    for name in records:
        rec = wfdb.rdrecord(f"{folder}/{name}")
        order = [rec.sig_name.index("MLII")] if "MLII" in rec.sig_name else [0]
        order += [i for i in range(rec.n_sig) if i not in order]
        parts.append(rec.p_signal[:, order[:2]].T.astype(np.float32))
    return np.concatenate(parts, axis=1)


def per_beat_loop(clf, x: np.ndarray, *, fs: float, n_beats: int) -> tuple[float, int]:
    """Seconds per beat of the seed-style loop: one ``model(beat)`` call per beat."""
    excerpt = x[: int(clf.input_shape[0]), : round(15 * 60 * fs)].astype(np.float64)
    peaks = ecgbeat.signal.detect_rpeaks(excerpt, fs=fs)
    X, rr, _ = extract_beats(excerpt, peaks, fs=fs, config=clf.config)
    X, rr = torch.tensor(X[:n_beats]), torch.tensor(clf.select_rr(rr[:n_beats]))
    model = clf.model.eval()
    start = time.perf_counter()
    with torch.no_grad():
        for i in range(len(X)):
            if clf.uses_rr:
                model(X[i : i + 1], rr[i : i + 1])
            else:
                model(X[i : i + 1])
    return (time.perf_counter() - start) / len(X), len(X)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", default=None, help="trained model (default: train one)")
    parser.add_argument("--model", default="beatfusion", help="model trained without --checkpoint")
    parser.add_argument("--data-dir", default=None, help="MIT-BIH folder (default: ECGBEAT_DATA)")
    parser.add_argument("--quick", action="store_true", help="1 hour of ECG (2 records)")
    parser.add_argument("--loop-beats", type=int, default=2000, help="beats timed in the loop")
    args = parser.parse_args()

    if args.checkpoint:
        clf = ecgbeat.load(args.checkpoint)
        source = args.checkpoint
    else:
        run = ecgbeat.train(
            model=args.model,
            members=1,
            epochs=1,
            batch_size=64,
            progress=False,
            n_bootstrap=0,
            out_dir=tempfile.mkdtemp() + "/run",
        )
        clf, source = run.classifier, f"{args.model} trained 1 epoch on the embedded sample"
    name = clf.metadata.get("model", {}).get("name") or type(clf.model).__name__
    n_params = sum(p.numel() for p in clf.model.parameters())
    print(f"model: {name} ({n_params:,} parameters), {source}")

    info = get_database("mitdb")
    records = info.records[:2] if args.quick else info.records
    fs = info.fs
    x = holter(locate("mitdb", data_dir=args.data_dir), records)
    hours = x.shape[1] / fs / 3600
    print(
        f"recording: {len(records)} MIT-BIH records end to end, {x.shape} at {fs:g} Hz, "
        f"{hours:.2f} h, {x.nbytes / 2**20:.0f} MiB as float32"
    )

    # A model of fewer leads (the embedded sample holds MLII only) reads the first rows.
    lead = list(range(int(clf.input_shape[0])))
    print(f"model leads: {list(clf.leads)} <- rows {lead} of the recording")
    predict_record(clf, x[:, : round(60 * fs)], fs=fs, lead=lead)  # warm-up: first calls
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    table = predict_record(clf, x, fs=fs, lead=lead)
    seconds = time.perf_counter() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rtf = hours * 3600 / seconds

    per_beat, n_loop = per_beat_loop(clf, x, fs=fs, n_beats=args.loop_beats)
    loop_seconds = per_beat * len(table)
    loop_rtf = hours * 3600 / loop_seconds

    figures = {
        "benchmark": "record_inference",
        "model": name,
        "parameters": n_params,
        "hours": round(hours, 3),
        "leads": int(x.shape[0]),
        "fs": fs,
        "beats": len(table),
        "flagged": int((table.flag != "").sum()),
        "seconds": round(seconds, 2),
        "realtime_factor": round(rtf, 1),
        "seconds_per_hour": round(seconds / hours, 3),
        "peak_rss_mib": round(rss_after, 1),
        "peak_rss_before_mib": round(rss_before, 1),
        "input_mib": round(x.nbytes / 2**20, 1),
        "loop_beats_timed": n_loop,
        "loop_seconds_extrapolated": round(loop_seconds, 1),
        "loop_realtime_factor": round(loop_rtf, 1),
        "speedup_over_loop": round(loop_seconds / seconds, 1),
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "machine": platform.machine(),
    }
    print()
    print("| pipeline | seconds | real-time factor | beats |")
    print("|---|---|---|---|")
    print(f"| predict_record (batched, chunked) | {seconds:.1f} | {rtf:.0f}x | {len(table):,} |")
    print(
        f"| per-beat loop, model calls only (extrapolated from {n_loop} beats) | "
        f"{loop_seconds:.1f} | {loop_rtf:.0f}x | {len(table):,} |"
    )
    print()
    print(
        f"peak resident memory: {rss_after:.0f} MiB (before the prediction: "
        f"{rss_before:.0f} MiB, input {x.nbytes / 2**20:.0f} MiB); "
        f"torch threads: {torch.get_num_threads()}"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
