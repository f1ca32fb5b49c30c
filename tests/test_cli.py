"""The ``ecgbeat`` command line (ecgbeat.cli): every sub-command on the embedded sample."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ecgbeat import load
from ecgbeat.cli import main
from ecgbeat.datasets import locate
from ecgbeat.models import list_models

SUBCOMMANDS = (
    "train",
    "evaluate",
    "explain",
    "report",
    "beats",
    "predict",
    "export",
    "ensemble",
    "app",
    "models",
)
#: A run of a few seconds: the smallest RR-aware model, one network, one epoch.
TRAIN = [
    "train",
    *("--model", "beatfusion_tiny", "--members", "1", "--epochs", "1", "--batch-size", "64"),
]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "run"
    assert main([*TRAIN, "--majority-fraction", "0.5", "--no-progress", "--out-dir", str(out)]) == 0
    return out


def test_python_m_ecgbeat_lists_every_subcommand():
    done = subprocess.run(
        [sys.executable, "-m", "ecgbeat", "--help"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    for command in SUBCOMMANDS:
        assert command in done.stdout


def test_train_writes_a_run_with_the_options_given(run_dir):
    checkpoint = run_dir / "best.pt"
    assert checkpoint.is_file() and (run_dir / "history.csv").is_file()
    metadata = load(checkpoint).metadata
    assert metadata["model"]["name"] == "beatfusion_tiny"
    assert metadata["trainer"]["majority_fraction"] == 0.5
    assert metadata["trainer"]["epochs"] == 1


def test_train_members_trains_an_ensemble_of_consecutive_seeds(tmp_path, capsys):
    out = tmp_path / "run"
    assert (
        main([*TRAIN, "--members", "2", "--seed", "3", "--no-progress", "--out-dir", str(out)]) == 0
    )
    members = load(out / "best.pt").metadata["members"]
    assert [m["training"]["seed"] for m in members] == [3, 4]
    assert (out / "seed-3" / "best.pt").is_file() and (out / "seed-4" / "best.pt").is_file()
    printed = capsys.readouterr().out
    for seed in (3, 4):
        assert f"seed-{seed} alone: accuracy " in printed and "veb_f1 " in printed


def test_train_never_overwrites_an_existing_run(run_dir, capsys):
    before = (run_dir / "best.pt").read_bytes()
    assert main([*TRAIN, "--no-progress", "--out-dir", str(run_dir)]) == 2
    assert "error:" in capsys.readouterr().err
    assert (run_dir / "best.pt").read_bytes() == before


def test_bad_training_options_are_one_line_errors(tmp_path, capsys):
    code = main([*TRAIN, "--majority-fraction", "1.5", "--out-dir", str(tmp_path / "r")])
    assert code == 2
    assert "majority_fraction must be in" in capsys.readouterr().err


def test_evaluate_writes_the_report_as_json(run_dir, tmp_path, capsys):
    out = tmp_path / "ds2.json"
    checkpoint = str(run_dir / "best.pt")
    assert main(["evaluate", checkpoint, "--n-bootstrap", "0", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert 0 <= report["headline"]["accuracy"] <= 1
    assert "SVEB" in capsys.readouterr().out


def test_explain_draws_a_beat_and_keeps_an_existing_figure(run_dir, tmp_path):
    out = tmp_path / "beat.png"
    args = ["explain", str(run_dir / "best.pt"), "--record", "208", "--out", str(out)]
    assert main([*args, "--beat", "3"]) == 0
    assert out.stat().st_size > 0
    with pytest.raises(SystemExit, match="exists; pass --overwrite"):
        main([*args, "--beat", "3"])
    with pytest.raises(SystemExit, match="--beat must lie in"):
        main([*args, "--beat", "100000", "--overwrite"])


def test_report_writes_one_html_page(run_dir, tmp_path):
    out = tmp_path / "report.html"
    assert main(["report", str(run_dir), "--out", str(out)]) == 0
    assert out.read_text().lstrip().lower().startswith("<!doctype html")


def test_beats_prints_the_split_and_class_counts(capsys):
    assert main(["beats"]) == 0
    printed = capsys.readouterr().out
    assert "train:" in printed and "test:" in printed


def test_predict_writes_a_beat_table_and_refuses_to_overwrite_it(run_dir, tmp_path, capsys):
    out = tmp_path / "beats.csv"
    args = ["predict", str(locate("sample") / "101"), "--model", str(run_dir / "best.pt")]
    assert main([*args, "--out", str(out)]) == 0
    header = out.read_text().splitlines()[0]
    assert header.startswith("sample,time_s,label")
    assert main([*args, "--out", str(out)]) == 2
    assert "overwrite" in capsys.readouterr().err


def test_export_writes_an_onnx_model_checked_against_pytorch(run_dir, tmp_path, capsys):
    out = tmp_path / "model.onnx"
    assert main(["export", str(run_dir / "best.pt"), "--out", str(out)]) == 0
    assert out.stat().st_size > 0
    assert "largest logit difference to PyTorch" in capsys.readouterr().out


def test_ensemble_combines_two_runs_and_keeps_an_existing_file(run_dir, tmp_path, capsys):
    other = tmp_path / "seed1"
    assert main([*TRAIN, "--seed", "1", "--no-progress", "--out-dir", str(other)]) == 0
    out = tmp_path / "ensemble.pt"
    args = ["ensemble", str(run_dir / "best.pt"), str(other / "best.pt"), "--out", str(out)]
    assert main(args) == 0
    clf = load(out)
    assert [m["training"]["seed"] for m in clf.metadata["members"]] == [0, 1]
    assert main(args) == 2
    assert "overwrite" in capsys.readouterr().err
    assert main(["ensemble", str(run_dir / "best.pt"), "--out", str(tmp_path / "one.pt")]) == 2
    assert "two classifiers or more" in capsys.readouterr().err


def test_models_lists_the_whole_zoo(capsys):
    assert main(["models"]) == 0
    printed = capsys.readouterr().out
    for name in list_models():
        assert name in printed
