"""Reading the ECG a dashboard user gives: uploaded CSV or WFDB files, or an embedded sample.

Everything here is plain Python (no Streamlit), so the page stays thin and every bad
file is turned into one :class:`ValueError` whose message the page shows as it is.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import wfdb

from ecgbeat.datasets import Record, get_database, locate, read_record

__all__ = [
    "MAX_CSV_LEADS",
    "TIME_COLUMNS",
    "read_csv_record",
    "read_sample",
    "read_upload",
    "read_wfdb_upload",
    "sample_records",
]

#: Column names read as time stamps in seconds (the sampling rate is taken from them).
TIME_COLUMNS = ("time", "time_s", "t", "seconds")

#: More columns than this is a table of beats (one beat per row), not a record.
MAX_CSV_LEADS = 16


def _empty_annotations() -> tuple[np.ndarray, np.ndarray]:
    return np.empty(0, np.int64), np.empty(0, dtype=str)


def read_csv_record(data: bytes, *, name: str, fs: float | None) -> Record:
    """Read a CSV file holding one column per lead (and optionally a time column).

    Parameters
    ----------
    data : bytes
        The file's content. A first row of column names is optional; the columns are the
        leads, one sample per row. A column named like :data:`TIME_COLUMNS` holds time
        stamps in seconds and sets the sampling rate.
    name : str
        Name shown for the record (usually the file name).
    fs : float or None
        Sampling rate in Hz, needed when the file has no time column (ignored otherwise).

    Returns
    -------
    Record
        The leads as ``signal`` of shape (n_leads, n_samples), without annotations.

    Raises
    ------
    ValueError
        An empty or non-text file, non-numeric columns, a table of beats rather than a
        record, missing or irregular time stamps, or no sampling rate.

    Examples
    --------
    >>> csv = b"time,MLII\\n0.0,0.1\\n0.004,0.2\\n0.008,0.15\\n"
    >>> rec = read_csv_record(csv, name="mine.csv", fs=None)
    >>> rec.signal.shape, rec.fs, rec.leads
    ((1, 3), 250.0, ('MLII',))
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(
            f"{name} is not a text CSV file; upload a CSV with one column per lead, or a "
            "WFDB record (.hea + .dat)"
        ) from None
    if not text.strip():
        raise ValueError(f"{name} is empty; upload a CSV with one column per lead")
    try:
        table = pd.read_csv(io.StringIO(text))
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise ValueError(f"{name} cannot be read as CSV ({err}); use one column per lead") from None
    # Column names that are numbers mean the file had no header: its first row is data.
    if all(_is_number(column) for column in table.columns):
        table = pd.read_csv(io.StringIO(text), header=None)
        table.columns = [f"lead {i}" for i in range(table.shape[1])]
    table.columns = [str(column).strip() for column in table.columns]
    if table.shape[1] > MAX_CSV_LEADS:
        raise ValueError(
            f"{name} has {table.shape[1]} columns: it looks like a table of beats (one beat "
            f"per row), not a record. Upload a recording with one column per lead (at most "
            f"{MAX_CSV_LEADS}) and one sample per row"
        )
    time_columns = [c for c in table.columns if c.lower() in TIME_COLUMNS]
    leads = [c for c in table.columns if c not in time_columns]
    numeric = table.apply(pd.to_numeric, errors="coerce")
    if bad := [c for c in table.columns if numeric[c].isna().all()]:
        raise ValueError(
            f"{name}: columns {bad} hold no numbers; the CSV must hold only numeric columns "
            "(one per lead, optionally a time column in seconds)"
        )
    if not leads:
        raise ValueError(f"{name} holds a time column but no lead; add one column per lead")
    if time_columns:
        fs = _fs_from_time(numeric[time_columns[0]].to_numpy(float), name=name)
    elif fs is None or not fs > 0:
        raise ValueError(
            f"{name} has no time column, so its sampling rate is unknown; give the sampling "
            "rate in Hz, or add a 'time' column in seconds"
        )
    signal = numeric[leads].to_numpy(np.float64).T
    ann_sample, ann_symbol = _empty_annotations()
    return Record(name, signal, float(fs), tuple(leads), ann_sample, ann_symbol)


def _is_number(value: object) -> bool:
    try:
        float(str(value))
    except ValueError:
        return False
    return True


def _fs_from_time(time_s: np.ndarray, *, name: str) -> float:
    """Sampling rate from regular time stamps in seconds."""
    step = np.diff(time_s)
    if len(step) == 0 or not np.all(np.isfinite(step)) or np.any(step <= 0):
        raise ValueError(
            f"{name}: the time column must increase at every row (seconds); fix it or drop "
            "it and give the sampling rate"
        )
    median = float(np.median(step))
    if np.max(np.abs(step - median)) > 0.01 * median:
        raise ValueError(
            f"{name}: the time stamps are not evenly spaced (steps from {step.min():.6g} to "
            f"{step.max():.6g} s); resample the recording to a fixed rate first"
        )
    return round(1.0 / median, 6)


def read_wfdb_upload(files: Mapping[str, bytes]) -> Record:
    """Read a WFDB record from its uploaded files: a ``.hea``, its signal file(s), maybe a ``.atr``.

    Parameters
    ----------
    files : mapping of file name to content
        Exactly one header file and every signal file it names; a ``.atr`` file of the
        same record adds the reference annotations.

    Returns
    -------
    Record
        Every lead in physical units, with the reference annotations when given.

    Raises
    ------
    ValueError
        No header or several, a missing or truncated signal file, or an unreadable record.

    Examples
    --------
    >>> from ecgbeat.datasets import locate
    >>> folder = locate("sample")
    >>> files = {f"209.{ext}": (folder / f"209.{ext}").read_bytes() for ext in ("hea", "dat")}
    >>> rec = read_wfdb_upload(files)
    >>> rec.name, rec.fs, rec.leads, len(rec.ann_sample)
    ('209', 360.0, ('MLII', 'V1'), 0)
    """
    # Only the base name is kept so that a crafted file name cannot write outside the folder.
    by_name = {Path(file).name: content for file, content in files.items()}
    headers = sorted(file for file in by_name if file.endswith(".hea"))
    if len(headers) != 1:
        raise ValueError(
            f"a WFDB record needs exactly one header (.hea) file, got {headers or 'none'}; "
            "upload the .hea file with its .dat file (and .atr if you have it)"
        )
    record = headers[0].removesuffix(".hea")
    with tempfile.TemporaryDirectory() as folder:
        for file, content in by_name.items():
            (Path(folder) / file).write_bytes(content)
        try:
            header = wfdb.rdheader(str(Path(folder) / record))
        except Exception as err:  # wfdb raises many types on a malformed header
            raise ValueError(
                f"{headers[0]} is not a valid WFDB header ({type(err).__name__}: {err})"
            ) from None
        if missing := sorted(set(header.file_name or []) - set(by_name)):
            raise ValueError(
                f"the header {headers[0]} names signal file(s) {missing} that were not "
                "uploaded; upload them together with the header"
            )
        if f"{record}.atr" in by_name:
            return read_record(folder, record, leads="all")
        try:
            rec = wfdb.rdrecord(str(Path(folder) / record))
        except Exception as err:  # truncated or corrupt signal files, wrong formats
            raise ValueError(
                f"record {record} cannot be read ({type(err).__name__}: {err}); check that "
                "the .dat file belongs to the header and is complete"
            ) from None
    if rec.p_signal is None or rec.p_signal.size == 0:
        raise ValueError(f"record {record} holds no samples")
    ann_sample, ann_symbol = _empty_annotations()
    signal = rec.p_signal.T.astype(np.float64)
    return Record(record, signal, float(rec.fs), tuple(rec.sig_name), ann_sample, ann_symbol)


def read_upload(files: Mapping[str, bytes], *, fs: float | None = None) -> Record:
    """Read uploaded files as a record: one CSV file, or the files of one WFDB record.

    Parameters
    ----------
    files : mapping of file name to content
    fs : float, optional
        Sampling rate of a CSV file without a time column.

    Raises
    ------
    ValueError
        No file, an unsupported mix of files, or any problem of the files themselves.

    Examples
    --------
    >>> read_upload({"beats.csv": b"0.1,0.2\\n0.3,0.4\\n"}, fs=360.0).signal.shape
    (2, 2)
    """
    if not files:
        raise ValueError("no file uploaded; upload a CSV file or a WFDB record")
    suffixes = {Path(file).suffix.lower() for file in files}
    if suffixes == {".csv"}:
        if len(files) > 1:
            raise ValueError(f"upload one CSV file at a time, got {sorted(files)}")
        file, content = next(iter(files.items()))
        return read_csv_record(content, name=file, fs=fs)
    if ".hea" in suffixes and ".csv" not in suffixes:
        return read_wfdb_upload(files)
    raise ValueError(
        f"cannot read {sorted(files)}: upload either one .csv file (one column per lead) or "
        "a WFDB record (.hea + .dat, optionally .atr)"
    )


def sample_records() -> tuple[str, ...]:
    """Names of the embedded MIT-BIH excerpts.

    Examples
    --------
    >>> "208" in sample_records()
    True
    """
    return tuple(sorted(get_database("sample").records))


def read_sample(name: str) -> Record:
    """Read an embedded MIT-BIH excerpt with every lead and its reference annotations.

    Examples
    --------
    >>> rec = read_sample("208")
    >>> rec.leads, rec.fs, len(rec.ann_sample) > 0
    (('MLII', 'V1'), 360.0, True)
    """
    if name not in sample_records():
        raise ValueError(f"no embedded record {name!r}; choose one of {sample_records()}")
    return read_record(locate("sample"), name, leads="all")
