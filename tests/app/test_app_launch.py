"""Starting the dashboard server."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request

import pytest

from ecgbeat.app import DASHBOARD, run_app, streamlit_command


def test_command_runs_the_packaged_page_on_the_asked_port() -> None:
    command = streamlit_command(port=8765, headless=False)
    assert command[command.index("run") + 1] == str(DASHBOARD)
    assert command[command.index("--server.port") + 1] == "8765"
    assert command[command.index("--server.headless") + 1] == "false"
    assert DASHBOARD.is_file()


@pytest.mark.parametrize("port", [0, 80, 70000, "8501", True])
def test_command_refuses_a_bad_port(port: object) -> None:
    with pytest.raises(ValueError, match="port must be an integer between 1024 and 65535"):
        streamlit_command(port=port)  # type: ignore[arg-type]


def test_app_refuses_a_checkpoint_that_does_not_exist(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        run_app(model=tmp_path / "missing.pt")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        return sock.getsockname()[1]


def test_server_started_by_the_command_answers_its_health_check() -> None:
    pytest.importorskip("streamlit", reason="the dashboard needs the app extra (streamlit)")
    port = _free_port()
    server = subprocess.Popen(
        streamlit_command(port=port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline, answer = time.monotonic() + 60, None
        while answer is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://localhost:{port}/_stcore/health") as reply:
                    answer = reply.read().decode()
            except OSError:
                time.sleep(0.5)
        assert answer == "ok"
    finally:
        server.terminate()
        server.wait(timeout=30)
