"""Run every benchmark script in this folder and collect the JSON line each one prints.

Usage: ``python benchmarks/run_all.py [--quick] [--only NAME ...]``. ``--quick`` passes
``--quick`` to every script (minutes in all; CI runs it to keep the benchmarks working). The
collected figures are printed as one JSON list at the end; a failing script fails the run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def last_json_line(output: str) -> dict | None:
    """The last line of ``output`` that parses as a JSON object."""
    for line in reversed(output.strip().splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="minutes-long version of each")
    parser.add_argument("--only", nargs="*", default=None, help="script names without .py")
    args = parser.parse_args()
    scripts = sorted(p for p in HERE.glob("*.py") if p.name != Path(__file__).name)
    if args.only:
        scripts = [p for p in scripts if p.stem in args.only]
    figures, failed = [], []
    for script in scripts:
        command = [sys.executable, str(script), *(["--quick"] if args.quick else [])]
        print(f"=== {script.name}", flush=True)
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        print(done.stdout, end="")
        if done.returncode != 0:
            print(done.stderr, end="", file=sys.stderr)
            failed.append(script.name)
            continue
        result = last_json_line(done.stdout)
        if result is None:
            failed.append(f"{script.name} (printed no JSON line)")
            continue
        figures.append(
            {"script": script.name, "wall_s": round(time.perf_counter() - start, 1), **result}
        )
    print(json.dumps(figures))
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
