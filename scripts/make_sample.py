"""Rebuild the embedded MIT-BIH excerpt shipped in ``src/ecgbeat/datasets/_sample``.

Usage: ``python scripts/make_sample.py /path/to/mitdb``. Each excerpt is a 2-minute window
chosen to hold beats of the minority AAMI classes, so that every class occurs on both sides
of the inter-patient split (seven DS1 and six DS2 records), written back in the original
format 212 with its reference annotations.
"""

from __future__ import annotations

import sys
from pathlib import Path

import wfdb

#: record -> start of the excerpt in minutes (DS1 records first, then DS2).
EXCERPTS = {
    "101": 4.5, "118": 22.0, "201": 24.25, "203": 23.5, "208": 19.75, "209": 9.25, "223": 13.25,
    "100": 19.25, "105": 20.0, "200": 16.0, "202": 17.75, "213": 7.25, "232": 11.0,
}  # fmt: skip
LENGTH_MIN = 2.0
OUT = Path(__file__).resolve().parents[1] / "src" / "ecgbeat" / "datasets" / "_sample"


def main(mitdb: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, start_min in EXCERPTS.items():
        header = wfdb.rdheader(str(mitdb / name))
        start = int(start_min * 60 * header.fs)
        stop = start + int(LENGTH_MIN * 60 * header.fs)
        rec = wfdb.rdrecord(str(mitdb / name), sampfrom=start, sampto=stop, physical=False)
        ann = wfdb.rdann(str(mitdb / name), "atr", sampfrom=start, sampto=stop - 1)
        comments = [
            *rec.comments,
            f"Excerpt of MIT-BIH Arrhythmia Database record {name}, samples {start}-{stop}",
        ]
        wfdb.wrsamp(
            name,
            fs=rec.fs,
            units=rec.units,
            sig_name=rec.sig_name,
            d_signal=rec.d_signal,
            fmt=rec.fmt,
            adc_gain=rec.adc_gain,
            baseline=rec.baseline,
            comments=comments,
            write_dir=str(OUT),
        )
        wfdb.wrann(
            name,
            "atr",
            ann.sample - start,
            symbol=ann.symbol,
            aux_note=ann.aux_note,
            fs=rec.fs,
            write_dir=str(OUT),
        )
    (OUT / "RECORDS").write_text("\n".join(EXCERPTS) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
