"""Checkpoint files: atomic writes, safe loading, clear refusals."""

from __future__ import annotations

import pytest
import torch

from ecgbeat.training import checkpoint as ckpt


def _save(path):
    return ckpt.save_checkpoint(path, model_state={"w": torch.arange(4.0)}, metadata={"k": [1, 2]})


def test_round_trip_keeps_weights_and_metadata(tmp_path):
    loaded = ckpt.load_checkpoint(_save(tmp_path / "m.pt"))
    torch.testing.assert_close(loaded["model_state"]["w"], torch.arange(4.0))
    assert loaded["metadata"] == {"k": [1, 2]}
    assert loaded["format_version"] == ckpt.FORMAT_VERSION


def test_save_leaves_no_temporary_file(tmp_path):
    _save(tmp_path / "m.pt")
    assert [p.name for p in tmp_path.iterdir()] == ["m.pt"]


def test_metadata_that_is_not_json_fails_at_save_time(tmp_path):
    with pytest.raises(TypeError):
        ckpt.save_checkpoint(tmp_path / "m.pt", model_state={}, metadata={"x": object()})
    assert not any(tmp_path.iterdir())


def test_truncated_file_is_refused_clearly(tmp_path):
    path = _save(tmp_path / "m.pt")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="corrupt, truncated"):
        ckpt.load_checkpoint(path)


def test_garbage_file_is_refused_clearly(tmp_path):
    path = tmp_path / "m.pt"
    path.write_bytes(b"not a checkpoint at all")
    with pytest.raises(ValueError, match="not a readable checkpoint"):
        ckpt.load_checkpoint(path)


def test_other_torch_files_are_not_taken_for_checkpoints(tmp_path):
    torch.save({"w": torch.zeros(2)}, tmp_path / "plain.pt")
    with pytest.raises(ValueError, match="not an ecgbeat checkpoint"):
        ckpt.load_checkpoint(tmp_path / "plain.pt")


def test_incompatible_format_version_is_refused(tmp_path):
    # A file laid out by a future ecgbeat: same marker, newer format version.
    payload = {
        "format": "ecgbeat-checkpoint",
        "format_version": ckpt.FORMAT_VERSION + 1,
        "library_version": "99.0",
        "metadata": "{}",
        "model_state": {},
    }
    torch.save(payload, tmp_path / "future.pt")
    with pytest.raises(ValueError, match=f"format version {ckpt.FORMAT_VERSION + 1}"):
        ckpt.load_checkpoint(tmp_path / "future.pt")


def test_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        ckpt.load_checkpoint(tmp_path / "none.pt")
