"""Benchmark: R-peak detection on MIT-BIH, ecgbeat against wfdb's XQRS in the same process.

Runs ``ecgbeat.signal.detect_rpeaks`` and ``wfdb.processing.xqrs_detect`` on each record
(MLII, or the first channel where a record has no MLII), one after the other so that both
see the same machine load, and scores both against the reference beat annotations with the
EC57 150 ms match window (``match_peaks``). Counts are pooled over records (gross
statistics) and every beat of each record is scored. A second pair of columns leaves out
the ventricular flutter episodes (between the ``[`` and ``]`` annotations, record 207 only),
whose flutter waves are not beat annotations.

Usage: ``python benchmarks/rpeak_detector.py [--data-dir DIR] [--quick]``; prints a table
and ends with one JSON line of the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
from wfdb import processing

from ecgbeat.datasets import get_database, locate, read_record
from ecgbeat.labels import BEAT_SYMBOLS
from ecgbeat.signal.detect import PeakMatch, detect_rpeaks, match_peaks

#: Records of ``--quick``: clean (100), noisy (105), bigeminy (119), multiform PVCs and
#: noise (203), frequent PVCs and fusions (208).
QUICK_RECORDS = ("100", "105", "119", "203", "208")


def flutter_episodes(symbols: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """``[start, stop)`` sample intervals between ``[`` and ``]`` annotations."""
    starts = samples[symbols == "["]
    stops = samples[symbols == "]"] + 1
    return np.stack([starts, stops], axis=1) if starts.size else np.empty((0, 2), np.int64)


def total(matches: list[PeakMatch]) -> PeakMatch:
    return PeakMatch(*(int(sum(column)) for column in zip(*matches, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="MIT-BIH folder (default: ECGBEAT_DATA)")
    parser.add_argument("--quick", action="store_true", help=f"only records {QUICK_RECORDS}")
    args = parser.parse_args()
    info = get_database("mitdb")
    folder = Path(locate("mitdb", data_dir=args.data_dir))
    records = QUICK_RECORDS if args.quick else info.records

    scores: dict[str, dict[str, list[PeakMatch]]] = {
        m: {"all": [], "ex_vf": []} for m in ("ecgbeat", "xqrs")
    }
    seconds = {"ecgbeat": 0.0, "xqrs": 0.0}
    hours = 0.0
    detect_rpeaks(np.sin(np.arange(3600) / 20), fs=360.0)  # warm-up: imports, first calls
    for name in records:
        # leads="all" puts the database's default lead (MLII) first where the record has it.
        rec = read_record(folder, name, leads="all", default_lead=info.default_lead)
        x = rec.signal[0]
        hours += x.size / rec.fs / 3600
        beats = rec.ann_sample[np.isin(rec.ann_symbol, list(BEAT_SYMBOLS))]
        flutter = flutter_episodes(rec.ann_symbol, rec.ann_sample)
        detectors = {
            "ecgbeat": lambda x=x, fs=rec.fs: detect_rpeaks(x, fs=fs),
            "xqrs": lambda x=x, fs=rec.fs: processing.xqrs_detect(x, fs=fs, verbose=False),
        }
        line = [name]
        for method, detect in detectors.items():
            start = time.perf_counter()
            peaks = detect()
            seconds[method] += time.perf_counter() - start
            match = match_peaks(peaks, beats, fs=rec.fs)
            scores[method]["all"].append(match)
            scores[method]["ex_vf"].append(match_peaks(peaks, beats, fs=rec.fs, exclude=flutter))
            line.append(f"{method} FP {match.fp:4d} FN {match.fn:4d}")
        print("  ".join(line), flush=True)

    rows = {}
    for method in scores:
        every, ex_vf = total(scores[method]["all"]), total(scores[method]["ex_vf"])
        rows[method] = {
            "se": 100 * every.sensitivity,
            "ppv": 100 * every.ppv,
            "se_ex_vf": 100 * ex_vf.sensitivity,
            "ppv_ex_vf": 100 * ex_vf.ppv,
            "seconds_per_hour": seconds[method] / hours,
            "tp": every.tp,
            "fp": every.fp,
            "fn": every.fn,
        }
    speedup = rows["xqrs"]["seconds_per_hour"] / rows["ecgbeat"]["seconds_per_hour"]
    n_beats = rows["ecgbeat"]["tp"] + rows["ecgbeat"]["fn"]
    print(
        f"\n{len(records)} records, {hours:.2f} h of ECG, {n_beats} reference beats, "
        f"150 ms window, {os.cpu_count()} cores\n"
    )
    header = f"{'method':<22} {'Se %':>7} {'+P %':>7} {'Se % ex-VF':>11} {'+P % ex-VF':>11}"
    print(f"{header} {'FP':>5} {'FN':>5} {'s / hour':>9} {'speed-up':>9}")
    labels = {"ecgbeat": "ecgbeat pantompkins1985", "xqrs": "wfdb xqrs_detect"}
    for method, row in rows.items():
        ratio = speedup if method == "ecgbeat" else 1.0
        print(
            f"{labels[method]:<22} {row['se']:7.2f} {row['ppv']:7.2f} {row['se_ex_vf']:11.2f} "
            f"{row['ppv_ex_vf']:11.2f} {row['fp']:5d} {row['fn']:5d} "
            f"{row['seconds_per_hour']:9.3f} {ratio:8.1f}x"
        )
    mine, xqrs = rows["ecgbeat"], rows["xqrs"]
    figures = {
        "records": len(records),
        "hours": round(hours, 3),
        **{key: round(value, 4) for key, value in mine.items()},
        **{f"xqrs_{key}": round(value, 4) for key, value in xqrs.items()},
        "speedup": round(speedup, 1),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
