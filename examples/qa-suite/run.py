#!/usr/bin/env python3
"""Run the QA suite the way a QA team would: copied outside the repository, Tessera installed.

    .venv/bin/python examples/qa-suite/run.py [pytest arguments]   # e.g. -n 2

The suite's test files are copied into a fresh temporary folder and pytest runs there with
this Python (the one Tessera is installed in), so nothing of the repository is on the path
and no conftest or ini file of the project applies: the plugin alone must be enough.
``TEST_DATABASE_URL`` is passed on when set; without it the embedded server is started.
Exits with pytest's code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SUITE = Path(__file__).resolve().parent


def main(args: list[str]) -> int:
    """Copy the tests to a temporary folder and run pytest there; returns its exit code."""
    with tempfile.TemporaryDirectory(prefix="tessera-qa-") as folder:
        here = Path(folder)
        for test in sorted(SUITE.glob("test_*.py")):
            shutil.copy2(test, here / test.name)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
        print(f"QA suite in {here}: {' '.join(command[1:])}", flush=True)
        return subprocess.run(command, cwd=here, env=env, check=False).returncode  # noqa: S603


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
