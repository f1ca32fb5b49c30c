import pytest

from ecgbeat.datasets import DATABASES, get_database, locate


def test_known_databases_have_their_rates_and_record_counts():
    assert (DATABASES["mitdb"].fs, len(DATABASES["mitdb"].records)) == (360.0, 48)
    assert (DATABASES["svdb"].fs, len(DATABASES["svdb"].records)) == (128.0, 78)
    assert (DATABASES["incartdb"].fs, len(DATABASES["incartdb"].records)) == (257.0, 75)
    assert DATABASES["mitdb"].paced_records == ("102", "104", "107", "217")
    assert DATABASES["mitdb"].default_lead == "MLII"


def test_mitdb_record_list_matches_the_files(mitdb_dir):
    assert sorted(p.stem for p in mitdb_dir.glob("*.hea")) == list(DATABASES["mitdb"].records)


def test_unknown_database_lists_the_known_ones():
    with pytest.raises(ValueError, match="mitdb"):
        get_database("ptbxl")


def test_data_dir_may_be_the_database_folder_or_its_parent(mitdb_dir):
    assert locate("mitdb", data_dir=mitdb_dir) == mitdb_dir
    assert locate("mitdb", data_dir=mitdb_dir.parent) == mitdb_dir


def test_ecgbeat_data_is_used_when_no_data_dir_is_given(mitdb_dir, monkeypatch):
    monkeypatch.setenv("ECGBEAT_DATA", str(mitdb_dir.parent))
    assert locate("mitdb") == mitdb_dir


def test_data_dir_wins_over_the_environment(mitdb_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("ECGBEAT_DATA", str(tmp_path))
    assert locate("mitdb", data_dir=mitdb_dir) == mitdb_dir


def test_missing_database_says_where_it_looked_and_how_to_fix(monkeypatch, tmp_path):
    monkeypatch.setenv("ECGBEAT_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("ECGBEAT_CACHE", str(tmp_path / "cache"))
    with pytest.raises(FileNotFoundError) as info:
        locate("svdb", data_dir=tmp_path / "elsewhere")
    message = str(info.value)
    for place in ("elsewhere", "data/svdb", "cache/data/svdb", "download=True", "ECGBEAT_DATA"):
        assert place in message


def test_the_embedded_sample_needs_no_data_folder():
    assert (locate("sample") / "208.hea").is_file()
