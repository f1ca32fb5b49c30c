"""``load_beats``: labelled beats from a WFDB database, built once and cached on disk."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ecgbeat.beats import RR_FEATURE_NAMES, BeatSet
from ecgbeat.datasets.databases import DatabaseInfo, cache_dir, get_database, locate
from ecgbeat.datasets.records import LeadSpec, Record, RecordError, read_record
from ecgbeat.labels import BEAT_SYMBOLS, LabelMap, get_label_map
from ecgbeat.pipeline import BeatConfig, extract_beats
from ecgbeat.splits import DS1, DS2

__all__ = ["PROTOCOLS", "beats_from_record", "load_beats"]

#: Protocols accepted by :func:`load_beats` (they decide the default record list).
PROTOCOLS = ("inter-patient", "intra-patient")

#: Bumped whenever the cached arrays change meaning, so old cache files are never served.
_CACHE_FORMAT = 4


def beats_from_record(
    record: Record, *, label_map: LabelMap, config: BeatConfig
) -> tuple[dict[str, np.ndarray], Counter]:
    """Labelled beats of one record and the counts of what was left out.

    Every beat annotation is an R peak for the RR features, whatever its class; beats whose
    symbol the label map does not know, and beats too close to the record edge, get no row
    but are counted.

    Returns
    -------
    arrays : dict
        ``X``, ``y``, ``rr``, ``sample``, ``symbol`` of the kept beats.
    counts : Counter
        ``annotations``, ``non_beat_annotations``, ``beats``, ``unmapped_beats``,
        ``unmapped:<symbol>``, ``edge_dropped`` and ``kept_beats``.

    Examples
    --------
    >>> from ecgbeat.datasets import locate, read_record
    >>> rec = read_record(locate("sample"), "208", default_lead="MLII")
    >>> arrays, counts = beats_from_record(rec, label_map=get_label_map(), config=BeatConfig())
    >>> arrays["X"].shape[1:], counts["kept_beats"] == len(arrays["y"])
    ((1, 252), True)
    """
    is_beat = np.isin(record.ann_symbol, list(BEAT_SYMBOLS))
    peaks, symbols = record.ann_sample[is_beat], record.ann_symbol[is_beat]
    X, rr, kept = extract_beats(record.signal, peaks, fs=record.fs, config=config)
    y, mapped = label_map.encode(symbols[kept])
    counts = Counter(
        annotations=len(record.ann_symbol),
        non_beat_annotations=int((~is_beat).sum()),
        beats=len(peaks),
        edge_dropped=int((~kept).sum()),
        kept_beats=int(mapped.sum()),
        unmapped_beats=int((~mapped).sum()),
    )
    counts.update(f"unmapped:{s}" for s in symbols[kept][~mapped])
    arrays = {
        "X": X[mapped],
        "y": y,
        "rr": rr[mapped],
        "sample": peaks[kept][mapped],
        "symbol": symbols[kept][mapped],
    }
    return arrays, counts


def _record_job(
    job: tuple[Path, str, LeadSpec, str | None, LabelMap, BeatConfig],
) -> tuple[Record, dict[str, np.ndarray], Counter] | Exception:
    """Read one record and cut its beats; errors are returned so the caller decides."""
    folder, name, leads, default_lead, label_map, config = job
    try:
        record = read_record(folder, name, leads=leads, default_lead=default_lead)
        arrays, counts = beats_from_record(record, label_map=label_map, config=config)
    except (RecordError, ValueError) as err:
        return err
    # The signal is not needed any more; dropping it keeps inter-process transfers small.
    return replace(record, signal=record.signal[:, :0]), arrays, counts


def _default_records(info: DatabaseInfo, protocol: str | None) -> tuple[str, ...]:
    if protocol not in (*PROTOCOLS, None):
        raise ValueError(f"unknown protocol {protocol!r}; choose one of {PROTOCOLS} or None")
    if protocol == "inter-patient" and info.name == "mitdb":
        return tuple(r for r in info.records if r in set(DS1) | set(DS2))
    if protocol == "inter-patient":
        return tuple(r for r in info.records if r not in info.paced_records)
    return info.records


def _cache_key(folder: Path, records: Sequence[str], settings: dict[str, Any]) -> str:
    # The key covers every parameter and the size and time of every source file, so an
    # edited or replaced record never gets stale beats.
    files = []
    for name in records:
        for path in sorted(folder.glob(f"{name}.*")):
            stat = path.stat()
            files.append((path.name, stat.st_size, stat.st_mtime_ns))
    text = json.dumps(
        {"format": _CACHE_FORMAT, "folder": str(folder.resolve()), "files": files, **settings},
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:24]


_CACHED_ARRAYS = ("X", "y", "record", "rr", "sample", "symbol")


def _save_cache(folder: Path, beats: BeatSet) -> None:
    meta = {
        "classes": beats.classes,
        "fs": beats.fs,
        "leads": beats.leads,
        "rr_names": beats.rr_names,
        "summary": beats.summary,
        "params": beats.params,
    }
    folder.parent.mkdir(parents=True, exist_ok=True)
    # Written into a fresh folder then renamed, so a crash never leaves a half-written
    # cache entry; plain .npy files load several times faster than a zip archive.
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".tmp-"))
    for name in _CACHED_ARRAYS:
        np.save(tmp / f"{name}.npy", getattr(beats, name))
    (tmp / "meta.json").write_text(json.dumps(meta))
    try:
        os.replace(tmp, folder)
    except OSError:  # another process cached the same beats first
        shutil.rmtree(tmp, ignore_errors=True)


def _load_cache(folder: Path) -> BeatSet | None:
    try:
        meta = json.loads((folder / "meta.json").read_text())
        # X (the bulk) is memory-mapped read-only: pages are read from disk as they are
        # used, and selections such as beats[mask] are ordinary in-memory copies.
        arrays = {
            name: np.load(folder / f"{name}.npy", mmap_mode="r" if name == "X" else None)
            for name in _CACHED_ARRAYS
        }
    except (OSError, ValueError):
        return None  # incomplete or foreign cache entry: rebuild it
    return BeatSet(
        **arrays,
        classes=tuple(meta["classes"]),
        fs=meta["fs"],
        leads=tuple(meta["leads"]),
        rr_names=tuple(meta["rr_names"]),
        summary=meta["summary"],
        params=meta["params"],
    )


def load_beats(
    database: str = "sample",
    *,
    data_dir: str | os.PathLike | None = None,
    records: Sequence[str] | None = None,
    protocol: str | None = "inter-patient",
    leads: LeadSpec = None,
    label_map: str | LabelMap | dict[str, str] | None = None,
    config: BeatConfig | None = None,
    cache: bool = True,
    download: bool = False,
    on_error: str = "raise",
    n_jobs: int | None = None,
) -> BeatSet:
    """Labelled beats of a WFDB database, ready for a model.

    Parameters
    ----------
    database : str
        ``"mitdb"``, ``"svdb"``, ``"incartdb"``, ``"sample"`` (the embedded excerpt, no
        download needed) or the name of another beat-annotated WFDB database given with
        ``data_dir`` and ``records``.
    data_dir : path, optional
        Folder of the database (or a folder holding one sub-folder per database). Default:
        ``$ECGBEAT_DATA/<database>``, then the user cache (see :func:`locate`).
    records : sequence of str, optional
        Records to load. Default: every record the protocol uses (for ``"inter-patient"``
        on mitdb, DS1 and DS2 of de Chazal et al. 2004; paced records left out).
    protocol : {"inter-patient", "intra-patient"} or None
        Decides the default records and is stored with the beats.
    leads : None, "all", str, int or sequence
        Leads per beat: None is the database's default lead (MLII for mitdb), ``"all"``
        every channel (default lead first), or names / channel indices.
    label_map : str, LabelMap or dict, optional
        Symbol to class map; default ``"aami-dechazal"`` (see :mod:`ecgbeat.labels`).
    config : BeatConfig, optional
        Filtering, resampling, window and normalisation; default ``BeatConfig()``.
    cache : bool
        Reuse (and write) the beat set cached under the user cache folder. The cache key
        covers every parameter and the source files, so it never serves stale beats.
    download : bool
        Fetch the database from PhysioNet when it is nowhere on disk.
    on_error : {"raise", "skip"}
        What to do with a record that cannot be used (damaged file, missing lead, NaN
        signal): raise, or leave it out and list it in ``summary["skipped_records"]``.
    n_jobs : int, optional
        Processes reading records in parallel; default one per available core.

    Returns
    -------
    BeatSet
        ``summary`` counts every annotation that did not become a beat and why.

    Examples
    --------
    >>> beats = load_beats("sample")
    >>> beats.classes, beats.X.shape[1:]
    (('N', 'S', 'V', 'F', 'Q'), (1, 252))
    >>> all(beats.class_counts()[c] > 0 for c in beats.classes)
    True
    """
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    info = (
        get_database(database)
        if data_dir is None or database in ("mitdb", "svdb", "incartdb", "sample")
        else DatabaseInfo(database, database, 0.0, ())
    )
    folder = locate(database, data_dir=data_dir, download=download)
    if records is None:
        records = _default_records(info, protocol)
    if isinstance(records, str) or not records:
        raise ValueError(
            f"records must be a non-empty list of record names, got {records!r}; "
            f"for instance records=['100', '101']"
        )
    records = tuple(str(r) for r in records)
    label_map = get_label_map(label_map)
    config = config or BeatConfig()
    settings = {
        "database": info.name,
        "records": list(records),
        "protocol": protocol,
        "leads": leads if leads is None or isinstance(leads, str | int) else list(leads),
        "label_map": label_map.to_dict(),
        "config": config.to_dict(),
        "on_error": on_error,
    }
    cache_entry = cache_dir() / "beats" / _cache_key(folder, records, settings)
    if cache and (cached := _load_cache(cache_entry)) is not None:
        return cached

    jobs = [(folder, name, leads, info.default_lead, label_map, config) for name in records]
    n_jobs = min(n_jobs or len(os.sched_getaffinity(0)), len(jobs))
    if n_jobs > 1:
        # Records are independent: reading (wfdb parses annotations in Python) and filtering
        # run in parallel processes.
        with ProcessPoolExecutor(max_workers=n_jobs) as pool:
            results = list(pool.map(_record_job, jobs, chunksize=max(1, len(jobs) // n_jobs // 2)))
    else:
        results = [_record_job(job) for job in jobs]

    parts, counts, skipped, lead_names = [], Counter(), [], []
    for name, result in zip(records, results, strict=True):
        if isinstance(result, Exception):
            if on_error == "raise":
                raise result
            skipped.append({"record": name, "reason": str(result)})
            continue
        record, arrays, record_counts = result
        parts.append((name, record, arrays))
        counts.update(record_counts)
        lead_names.append(record.leads)
    if not parts:
        raise RecordError(f"no record of {database} could be used: {skipped}")
    if len({len(names) for names in lead_names}) > 1:
        raise RecordError(
            "records have different numbers of leads; pass leads= with the same count for all"
        )
    fs_values = {config.output_fs(record.fs) for _, record, _ in parts}
    if len(fs_values) > 1:
        raise RecordError(
            f"records have different sampling rates {sorted(fs_values)}; resample them to "
            "one rate with config=BeatConfig(fs=...)"
        )
    summary: dict[str, Any] = {"records": len(parts), **dict(sorted(counts.items()))}
    summary["skipped_records"] = skipped
    beats = BeatSet(
        X=np.concatenate([a["X"] for _, _, a in parts]),
        y=np.concatenate([a["y"] for _, _, a in parts]),
        record=np.concatenate([np.full(len(a["y"]), name) for name, _, a in parts]),
        rr=np.concatenate([a["rr"] for _, _, a in parts]),
        sample=np.concatenate([a["sample"] for _, _, a in parts]),
        symbol=np.concatenate([a["symbol"] for _, _, a in parts]),
        classes=label_map.classes,
        fs=fs_values.pop(),
        # Records may name their second lead differently (V1, V2, V5 in mitdb).
        leads=tuple("/".join(dict.fromkeys(names)) for names in zip(*lead_names, strict=True)),
        rr_names=RR_FEATURE_NAMES,
        summary=summary,
        params={**settings, "records": [name for name, _, _ in parts]},
    )
    if cache:
        _save_cache(cache_entry, beats)
    return beats
