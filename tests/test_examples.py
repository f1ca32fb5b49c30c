"""The scripts in ``examples/`` run end to end in their ``--smoke`` setting.

Every example starts at once in its own subprocess and working folder (they are mostly
waiting on imports and single-threaded work, so running them side by side keeps this file
near a minute on two cores); each test then waits for its example and checks what it wrote.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
TIMEOUT_S = 300

#: example script -> files it must write (relative to its working folder) in smoke mode.
EXPECTED_FILES = {
    "quickstart.py": ["runs/quickstart/best.pt", "runs/quickstart/metrics.json"],
    "inter_patient.py": ["runs/inter_patient/best.pt", "runs/inter_patient/report.md"],
    "intra_patient_kaggle.py": [
        "runs/kaggle-csv/mitbih_train.csv",
        "runs/kaggle-csv/mitbih_test.csv",
        "runs/kaggle/best.pt",
        "runs/kaggle/test_report.json",
    ],
    "gradcam.py": ["gradcam/gallery.png", "gradcam/run/best.pt"],
    "custom_model.py": ["runs/custom/best.pt"],
    "distributed.py": ["runs/distributed/best.pt", "runs/distributed/metrics.json"],
}
if (EXAMPLES_DIR / "predict_record.py").is_file():
    EXPECTED_FILES["predict_record.py"] = ["beats.csv", "record.png"]


def _command(script: str) -> list[str]:
    path = str(EXAMPLES_DIR / script)
    if script == "distributed.py":
        # torchrun with two CPU workers talking over gloo.
        return [sys.executable, "-m", "torch.distributed.run", "--standalone",
                "--nproc_per_node=2", path, "--smoke"]  # fmt: skip
    return [sys.executable, path, "--smoke"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[subprocess.Popen, Path]]:
    """Every example's smoke run, started side by side, each in a fresh folder."""
    # One thread per process: the runs share the machine's cores.
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    started = {}
    for script in EXPECTED_FILES:
        cwd = tmp_path_factory.mktemp(Path(script).stem)
        log = (cwd / "output.txt").open("w")
        proc = subprocess.Popen(
            _command(script), cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, text=True
        )
        started[script] = (proc, cwd)
    yield started
    for proc, _ in started.values():
        if proc.poll() is None:
            proc.kill()


def test_every_example_script_has_a_smoke_run() -> None:
    scripts = {p.name for p in EXAMPLES_DIR.glob("*.py")}
    assert scripts == set(EXPECTED_FILES)


@pytest.mark.parametrize("script", sorted(EXPECTED_FILES))
def test_example_smoke_run_succeeds_and_writes_its_files(
    script: str, runs: dict[str, tuple[subprocess.Popen, Path]]
) -> None:
    proc, cwd = runs[script]
    returncode = proc.wait(timeout=TIMEOUT_S)
    output = (cwd / "output.txt").read_text()
    assert returncode == 0, f"{script} --smoke failed:\n{output[-4000:]}"
    missing = [f for f in EXPECTED_FILES[script] if not (cwd / f).is_file()]
    assert not missing, f"{script} --smoke did not write {missing}:\n{output[-2000:]}"
