"""Starting the dashboard: ``streamlit run`` on the packaged page script, in a child process."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

__all__ = ["DASHBOARD", "MODEL_ENV", "run_app", "streamlit_command"]

#: The Streamlit page script shipped with the package.
DASHBOARD = Path(__file__).resolve().with_name("dashboard.py")
#: Environment variable through which :func:`run_app` hands the page a checkpoint path
#: (Streamlit keeps the command line of the script for itself).
MODEL_ENV = "ECGBEAT_APP_MODEL"


def streamlit_command(*, port: int = 8501, headless: bool = True) -> list[str]:
    """The command line that serves the dashboard on ``localhost:port``.

    Parameters
    ----------
    port : int
        TCP port of the web server (1024-65535).
    headless : bool
        True: serve without opening a browser (servers, containers); False: open the
        page in the default browser.

    Raises
    ------
    ValueError
        A port outside 1024-65535.

    Examples
    --------
    >>> command = streamlit_command(port=8600)
    >>> command[1:4], command[command.index("--server.port") + 1]
    (['-m', 'streamlit', 'run'], '8600')
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 1024 <= port <= 65535:
        raise ValueError(f"port must be an integer between 1024 and 65535, got {port!r}")
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(DASHBOARD),
        "--server.port",
        str(port),
        "--server.headless",
        "true" if headless else "false",
        # The page sends nothing to third parties: Streamlit's usage statistics stay off.
        "--browser.gatherUsageStats",
        "false",
    ]


def run_app(
    *, port: int = 8501, headless: bool = True, model: str | os.PathLike | None = None
) -> int:
    """Serve the dashboard until interrupted (Ctrl+C) and return the server's exit status.

    Parameters
    ----------
    port : int
        TCP port of the web server; the page is at ``http://localhost:<port>``.
    headless : bool
        Serve without opening a browser.
    model : path-like, optional
        A checkpoint (``best.pt`` of ``ecgbeat.train()``) the page opens with; default:
        the pretrained model where the package ships one, else the user picks a file.

    Returns
    -------
    int
        Exit status of the Streamlit server (0 after a clean stop, 130 after Ctrl+C).

    Raises
    ------
    ImportError
        Streamlit is not installed (``pip install "ecgbeat[app]"``).
    ValueError
        A port outside 1024-65535.
    FileNotFoundError
        ``model`` is not a file.

    Examples
    --------
    >>> run_app(port=80)
    Traceback (most recent call last):
    ...
    ValueError: port must be an integer between 1024 and 65535, got 80
    """
    command = streamlit_command(port=port, headless=headless)
    env = dict(os.environ)
    if model is not None:
        if not Path(model).is_file():
            raise FileNotFoundError(
                f"no checkpoint at {model}; pass the best.pt file of a training run"
            )
        env[MODEL_ENV] = str(Path(model).resolve())
    if importlib.util.find_spec("streamlit") is None:
        raise ImportError(
            'the dashboard needs Streamlit; install it with pip install "ecgbeat[app]"'
        )
    try:
        return subprocess.run(command, check=False, env=env).returncode
    except KeyboardInterrupt:
        # Ctrl+C reaches the server too, which stops by itself; report it like a shell does.
        return 130
