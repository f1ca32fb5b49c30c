"""Dataset loaders: PhysioNet WFDB databases, the Kaggle heartbeat CSVs and the embedded sample."""

from ecgbeat.datasets.databases import DATABASES, DatabaseInfo, cache_dir, get_database, locate
from ecgbeat.datasets.kaggle import load_kaggle_csv
from ecgbeat.datasets.loader import beats_from_record, load_beats
from ecgbeat.datasets.records import Record, RecordError, read_record

__all__ = [
    "DATABASES",
    "DatabaseInfo",
    "Record",
    "RecordError",
    "beats_from_record",
    "cache_dir",
    "get_database",
    "load_beats",
    "load_kaggle_csv",
    "locate",
    "read_record",
]
