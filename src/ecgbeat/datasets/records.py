"""Reading one beat-annotated WFDB record: signals, sampling rate, lead names, annotations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import wfdb

__all__ = ["LeadSpec", "Record", "RecordError", "read_record", "resolve_leads"]

#: Leads asked for: None (the database default), "all", or names / channel indices.
LeadSpec = str | int | Sequence[str | int] | None


#: Bytes per sample of the uncompressed WFDB signal formats (WFDB "signal" format spec).
_BYTES_PER_SAMPLE = {
    "8": 1,
    "16": 2,
    "24": 3,
    "32": 4,
    "61": 2,
    "80": 1,
    "160": 2,
    "212": 1.5,
    "310": 4 / 3,
    "311": 4 / 3,
}


class RecordError(ValueError):
    """A record that cannot be read or used; the message names the record and the fix."""


@dataclass(frozen=True)
class Record:
    """One record in physical units.

    Attributes
    ----------
    name : str
        Record name.
    signal : ndarray of shape (n_leads, n_samples), float64
        Signals of the selected leads, in millivolts.
    fs : float
        Sampling rate in Hz.
    leads : tuple of str
        Names of the selected leads.
    ann_sample : ndarray of shape (n_annotations,), int64
        Annotation positions in samples.
    ann_symbol : ndarray of shape (n_annotations,), str
        Annotation symbols.
    """

    name: str
    signal: np.ndarray
    fs: float
    leads: tuple[str, ...]
    ann_sample: np.ndarray
    ann_symbol: np.ndarray


def resolve_leads(
    available: Sequence[str], leads: LeadSpec, *, default_lead: str | None, record: str
) -> list[int]:
    """Channel indices of the asked leads in a record.

    ``None`` takes the database's default lead (or the first channel); ``"all"`` takes
    every channel, the default lead first.

    Examples
    --------
    >>> resolve_leads(["V5", "MLII"], None, default_lead="MLII", record="114")
    [1]
    >>> resolve_leads(["V5", "MLII"], "all", default_lead="MLII", record="114")
    [1, 0]
    """
    available = list(available)
    if leads is None:
        leads = [default_lead] if default_lead is not None else [0]
    elif leads == "all":
        first = available.index(default_lead) if default_lead in available else 0
        return [first, *(i for i in range(len(available)) if i != first)]
    elif isinstance(leads, str | int):
        leads = [leads]
    channels = []
    for lead in leads:
        if isinstance(lead, int) and 0 <= lead < len(available):
            channels.append(lead)
        elif isinstance(lead, str) and lead in available:
            channels.append(available.index(lead))
        else:
            raise RecordError(
                f"record {record} has no lead {lead!r}; its leads are {available}. Choose "
                "leads among them, use leads='all', or leave the record out with records= "
                "(or on_error='skip')"
            )
    return channels


def _truncated_files(folder: Path, name: str) -> list[str]:
    """Signal files of a record smaller than its header says (uncompressed formats)."""
    header = wfdb.rdheader(str(folder / name))
    expected: dict[str, float] = {}
    for file, fmt in zip(header.file_name, header.fmt, strict=True):
        per_sample = _BYTES_PER_SAMPLE.get(str(fmt), 0)
        expected[file] = expected.get(file, 0) + per_sample * header.sig_len
    return [
        file
        for file, size in expected.items()
        if (folder / file).is_file() and (folder / file).stat().st_size < int(size)
    ]


def read_record(
    folder: str | Path,
    name: str,
    *,
    leads: LeadSpec = None,
    default_lead: str | None = None,
    annotator: str = "atr",
) -> Record:
    """Read a record's signals and reference annotations, checking that they agree.

    Parameters
    ----------
    folder : path
        Folder holding ``<name>.hea``, its signal file(s) and ``<name>.<annotator>``.
    name : str
        Record name.
    leads : None, "all", str, int or sequence
        Leads to read (see :func:`resolve_leads`).
    default_lead : str, optional
        Lead taken when ``leads`` is None.
    annotator : str
        Annotation file extension.

    Raises
    ------
    RecordError
        Missing or unreadable files, a truncated signal file, annotations outside the
        signal, a missing lead, or a lead with NaN gaps or no signal at all.

    Examples
    --------
    >>> from ecgbeat.datasets import locate
    >>> rec = read_record(locate("sample"), "208")
    >>> rec.fs, rec.leads, rec.signal.shape
    (360.0, ('MLII',), (1, 43200))
    """
    path = Path(folder) / name
    for ext in ("hea", annotator):
        if not path.with_suffix(f".{ext}").is_file():
            raise RecordError(
                f"record {name}: file {path.with_suffix(f'.{ext}')} not found; check the "
                "record name and data folder, or re-download the database"
            )
    try:
        header = wfdb.rdheader(str(path))
        channels = resolve_leads(header.sig_name, leads, default_lead=default_lead, record=name)
        rec = wfdb.rdrecord(str(path), channels=channels)
        ann = wfdb.rdann(str(path), annotator)
    except RecordError:
        raise
    except Exception as err:  # wfdb raises many exception types for damaged files
        if short := _truncated_files(path.parent, name):
            raise RecordError(
                f"record {name}: signal file(s) {short} are shorter than the header announces; "
                "the download was cut off, re-download the record"
            ) from err
        raise RecordError(
            f"record {name} in {folder} cannot be read ({type(err).__name__}: {err}); the "
            "files are damaged or incomplete: re-download them (download=True into an empty "
            "folder) or leave the record out"
        ) from err
    signal = np.asarray(rec.p_signal, dtype=np.float64).T
    if signal.shape[1] != header.sig_len:
        raise RecordError(
            f"record {name}: the signal file holds {signal.shape[1]} samples but the header "
            f"announces {header.sig_len}; the .dat file is truncated, re-download it"
        )
    sample = np.asarray(ann.sample, dtype=np.int64)
    if len(sample) and (sample.min() < 0 or sample.max() >= signal.shape[1]):
        raise RecordError(
            f"record {name}: annotations run to sample {sample.max()} but the signal has "
            f"{signal.shape[1]} samples; the header and annotation files do not belong "
            "together, re-download them"
        )
    lead_names = tuple(rec.sig_name)
    for lead, x in zip(lead_names, signal, strict=True):
        if not np.isfinite(x).all():
            raise RecordError(
                f"record {name}, lead {lead}: {int((~np.isfinite(x)).sum())} samples are NaN "
                "(invalid in the signal file); choose another lead or leave the record out"
            )
        if np.ptp(x) == 0:
            raise RecordError(
                f"record {name}, lead {lead}: the signal is flat (constant); the lead was "
                "not recorded, choose another lead or leave the record out"
            )
    return Record(
        name=name,
        signal=signal,
        fs=float(rec.fs),
        leads=lead_names,
        ann_sample=sample,
        ann_symbol=np.asarray(ann.symbol, dtype=str),
    )
