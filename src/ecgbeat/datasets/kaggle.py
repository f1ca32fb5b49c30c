"""Loader for the Kaggle "ECG Heartbeat Categorization" CSVs (Kachuee et al. 2018 format)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ecgbeat.beats import KACHUEE_FS, KACHUEE_LENGTH, BeatSet
from ecgbeat.labels import AAMI_CLASSES
from ecgbeat.pipeline import BeatConfig

__all__ = ["load_kaggle_csv"]


def load_kaggle_csv(path: str | os.PathLike) -> BeatSet:
    """Read ``mitbih_train.csv`` or ``mitbih_test.csv``: 187 samples and a label per row.

    The CSVs hold single-lead beats at 125 Hz, min-max normalised and zero-padded (see
    :func:`ecgbeat.beats.segment_kachuee187`, which cuts the same format from raw records),
    labelled 0-4 for the AAMI classes N, S, V, F, Q. They carry no patient identifiers, so
    every beat's ``record`` is the file's stem and only the intra-patient protocol applies;
    there are no RR features (``rr`` has 0 columns).

    Parameters
    ----------
    path : path
        The CSV file (comma-separated, no header, 188 columns).

    Returns
    -------
    BeatSet
        ``X`` of shape (n_rows, 1, 187) at 125 Hz.

    Raises
    ------
    FileNotFoundError, ValueError
        Missing file; rows of the wrong width, non-numeric or non-finite values, or labels
        outside 0-4 (the message gives the first offending row).

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> rows = np.hstack([np.random.default_rng(0).random((3, 187)), [[0], [2], [4]]])
    >>> path = os.path.join(tempfile.mkdtemp(), "mitbih_test.csv")
    >>> np.savetxt(path, rows, delimiter=",")
    >>> beats = load_kaggle_csv(path)
    >>> beats.X.shape, beats.y.tolist(), beats.records
    ((3, 1, 187), [0, 2, 4], ('mitbih_test',))
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found; download the Kaggle 'ECG Heartbeat Categorization Dataset' "
            "and pass the path of mitbih_train.csv or mitbih_test.csv"
        )
    try:
        table = np.loadtxt(path, delimiter=",", dtype=np.float32, ndmin=2)
    except ValueError as err:
        raise ValueError(
            f"{path} is not a Kaggle heartbeat CSV (188 numeric columns per row): {err}"
        ) from err
    if table.shape[1] != KACHUEE_LENGTH + 1:
        raise ValueError(
            f"{path} has {table.shape[1]} columns per row; the Kaggle heartbeat format has "
            f"{KACHUEE_LENGTH} samples + 1 label = {KACHUEE_LENGTH + 1}"
        )
    if not np.isfinite(table).all():
        row = int(np.flatnonzero(~np.isfinite(table).all(axis=1))[0])
        raise ValueError(f"{path}: row {row + 1} holds NaN or infinite values")
    labels = table[:, -1]
    bad = (labels != np.round(labels)) | (labels < 0) | (labels >= len(AAMI_CLASSES))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{path}: row {row + 1} has label {labels[row]:g}; labels must be integers 0-4 "
            f"for the classes {AAMI_CLASSES}"
        )
    n = len(table)
    return BeatSet(
        X=table[:, None, :-1],
        y=labels.astype(np.int64),
        record=np.full(n, path.stem),
        rr=np.zeros((n, 0), np.float32),
        classes=AAMI_CLASSES,
        fs=KACHUEE_FS,
        leads=("MLII",),
        summary={"rows": n},
        params={
            "database": "kaggle",
            "source": str(path),
            "protocol": "intra-patient",
            "config": BeatConfig(segmentation="kachuee187", bandpass_hz=None).to_dict(),
        },
    )
