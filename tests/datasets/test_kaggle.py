import numpy as np
import pytest

from ecgbeat import BeatConfig, load_beats, load_kaggle_csv


def test_kaggle_csv_round_trips_beats_cut_from_raw_records(tmp_path):
    beats = load_beats("sample", config=BeatConfig(segmentation="kachuee187", bandpass_hz=None))
    path = tmp_path / "mitbih_test.csv"
    np.savetxt(path, np.hstack([beats.X[:, 0], beats.y[:, None]]), delimiter=",", fmt="%.6f")
    loaded = load_kaggle_csv(path)
    assert loaded.X.shape == beats.X.shape and loaded.fs == beats.fs
    np.testing.assert_allclose(loaded.X, beats.X, atol=1e-6)
    np.testing.assert_array_equal(loaded.y, beats.y)
    assert loaded.classes == beats.classes and loaded.rr.shape == (len(beats), 0)
    assert loaded.params["config"] == beats.params["config"]


def _write(path, rows):
    np.savetxt(path, rows, delimiter=",")
    return path


def test_wrong_width_is_refused(tmp_path):
    path = _write(tmp_path / "x.csv", np.zeros((2, 100)))
    with pytest.raises(ValueError, match="187 samples"):
        load_kaggle_csv(path)


def test_bad_label_names_the_row(tmp_path):
    rows = np.zeros((3, 188))
    rows[2, -1] = 7
    with pytest.raises(ValueError, match="row 3 has label 7"):
        load_kaggle_csv(_write(tmp_path / "x.csv", rows))


def test_nan_values_name_the_row(tmp_path):
    rows = np.zeros((3, 188))
    rows[1, 5] = np.nan
    with pytest.raises(ValueError, match="row 2"):
        load_kaggle_csv(_write(tmp_path / "x.csv", rows))


def test_missing_file_says_what_to_download(tmp_path):
    with pytest.raises(FileNotFoundError, match="ECG Heartbeat Categorization"):
        load_kaggle_csv(tmp_path / "mitbih_train.csv")
