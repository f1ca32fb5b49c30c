"""What ecgbeat knows about beat-annotated PhysioNet databases, and where their files are."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DATABASES", "SAMPLE_DIR", "DatabaseInfo", "cache_dir", "get_database", "locate"]

#: Folder of the embedded MIT-BIH excerpt shipped with the package.
SAMPLE_DIR = Path(__file__).resolve().parent / "_sample"


@dataclass(frozen=True)
class DatabaseInfo:
    """A beat-annotated WFDB database.

    Parameters
    ----------
    name : str
        Short name, also the PhysioNet slug and the sub-folder name under ``ECGBEAT_DATA``.
    title : str
        Full name.
    fs : float
        Sampling rate in Hz.
    records : tuple of str
        Record names.
    default_lead : str or None
        Lead used when none is asked for; None means the first channel of each record.
    paced_records : tuple of str
        Records with paced beats (excluded by the inter-patient protocol).
    version : str
        PhysioNet version downloaded by ``download=True``.
    downloadable : bool
        Whether the files can be fetched from PhysioNet.
    """

    name: str
    title: str
    fs: float
    records: tuple[str, ...]
    default_lead: str | None = None
    paced_records: tuple[str, ...] = ()
    version: str = "1.0.0"
    downloadable: bool = True


def _numbered(prefix: str, first: int, last: int, width: int = 0) -> tuple[str, ...]:
    return tuple(f"{prefix}{i:0{width}d}" for i in range(first, last + 1))


#: Databases known by name. Record lists from the PhysioNet RECORDS files.
DATABASES: dict[str, DatabaseInfo] = {
    db.name: db
    for db in (
        DatabaseInfo(
            "mitdb",
            "MIT-BIH Arrhythmia Database",
            360.0,
            (
                *_numbered("", 100, 109),
                *_numbered("", 111, 119),
                *_numbered("", 121, 124),
                *_numbered("", 200, 203),
                "205",
                *_numbered("", 207, 210),
                *_numbered("", 212, 215),
                "217",
                *_numbered("", 219, 223),
                "228",
                *_numbered("", 230, 234),
            ),
            default_lead="MLII",
            paced_records=("102", "104", "107", "217"),
        ),
        DatabaseInfo(
            "svdb",
            "MIT-BIH Supraventricular Arrhythmia Database",
            128.0,
            (*_numbered("", 800, 812), *_numbered("", 820, 829), *_numbered("", 840, 894)),
        ),
        DatabaseInfo(
            "incartdb",
            "St Petersburg INCART 12-lead Arrhythmia Database",
            257.0,
            _numbered("I", 1, 75, width=2),
        ),
        DatabaseInfo(
            "sample",
            "ecgbeat embedded sample (2-minute excerpts of 13 MIT-BIH records)",
            360.0,
            (
                "101",
                "118",
                "201",
                "203",
                "208",
                "209",
                "223",
                "100",
                "105",
                "200",
                "202",
                "213",
                "232",
            ),
            default_lead="MLII",
            downloadable=False,
        ),
    )
}


def get_database(name: str) -> DatabaseInfo:
    """Look up a database by name.

    Examples
    --------
    >>> get_database("mitdb").fs
    360.0
    >>> len(get_database("mitdb").records)
    48
    """
    try:
        return DATABASES[name]
    except KeyError:
        raise ValueError(
            f"unknown database {name!r}; known databases: {sorted(DATABASES)}. For another "
            "WFDB database pass its folder as data_dir= together with records="
        ) from None


def cache_dir() -> Path:
    """The user cache folder of ecgbeat (``ECGBEAT_CACHE``, else ``$XDG_CACHE_HOME/ecgbeat``).

    Examples
    --------
    >>> cache_dir().name in {"ecgbeat"} or "ECGBEAT_CACHE" in __import__("os").environ
    True
    """
    if explicit := os.environ.get("ECGBEAT_CACHE"):
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "ecgbeat"


def _has_records(folder: Path) -> bool:
    return folder.is_dir() and any(folder.glob("*.hea"))


def locate(
    database: str, *, data_dir: str | os.PathLike | None = None, download: bool = False
) -> Path:
    """Find the folder holding a database's files, downloading it only when asked.

    Looks, in order, at ``data_dir`` (the database folder itself or a folder with one
    sub-folder per database), at ``$ECGBEAT_DATA/<database>``, and at the user cache
    (``cache_dir() / "data" / <database>``). When none holds the files and ``download`` is
    True, the database is fetched from PhysioNet into the user cache with
    ``wfdb.dl_database``.

    Raises
    ------
    FileNotFoundError
        When no folder holds the database, naming every place looked at and the fix.

    Examples
    --------
    >>> locate("sample").name
    '_sample'
    """
    if database == "sample" and data_dir is None:
        return SAMPLE_DIR
    candidates: list[Path] = []
    if data_dir is not None:
        candidates += [Path(data_dir).expanduser(), Path(data_dir).expanduser() / database]
    if env := os.environ.get("ECGBEAT_DATA"):
        candidates.append(Path(env).expanduser() / database)
    cached = cache_dir() / "data" / database
    candidates.append(cached)
    for folder in candidates:
        if _has_records(folder):
            return folder
    info = DATABASES.get(database)
    if download and info is not None and info.downloadable:
        import wfdb  # imported here: only a download needs the network client

        cached.mkdir(parents=True, exist_ok=True)
        wfdb.dl_database(f"{info.name}/{info.version}", dl_dir=str(cached))
        return cached
    looked = "\n  ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        f"no WFDB files (*.hea) of database {database!r} found; looked in:\n  {looked}\n"
        "Fix: pass data_dir= pointing at the folder, set ECGBEAT_DATA to a folder holding "
        f"a '{database}' sub-folder, or pass download=True to fetch it from PhysioNet."
    )
