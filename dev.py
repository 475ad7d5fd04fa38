#!/usr/bin/env python3
"""Set up and run Tessera with nothing but Python 3.11+.

    python dev.py run      # start Tessera (embedded PostgreSQL unless TESSERA_DATABASE_URL is set)
    python dev.py test     # the whole test suite (embedded PostgreSQL unless TEST_DATABASE_URL)
    python dev.py check    # ruff, ruff format --check, mypy --strict, import-linter

The first call makes a virtual environment in .venv and installs the project with the
pinned versions in constraints.txt; later calls reinstall only when pyproject.toml or
constraints.txt changed. Extra arguments go to the tool (for example
``python dev.py test tests/unit -x``).

To keep a second Python beside the first, give it a folder of its own:
``TESSERA_VENV=.venv-3.12 python3.12 dev.py test`` (a relative path is taken from this
folder). A virtual environment made by another Python is made again for this one.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV_NAME = os.environ.get("TESSERA_VENV") or ".venv"
VENV = ROOT / VENV_NAME
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".tessera-installed"
INPUTS = ("pyproject.toml", "constraints.txt")


def _fingerprint() -> str:
    digest = hashlib.sha256(sys.version.encode())
    for name in INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def _call(*args: str | Path) -> None:
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True)


def _made_by_this_python() -> bool:
    # Installing into a venv of another Python would reinstall on every switch and still
    # run the tests on the other one.
    asked = subprocess.run(
        [str(PYTHON), "-c", "import sys; print(sys.version)"],
        capture_output=True,
        text=True,
        check=False,
    )
    return asked.returncode == 0 and asked.stdout.strip() == sys.version


def ensure_environment() -> None:
    """Create the virtual environment and install the project into it when needed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this file must run on old Pythons to say so
        sys.exit(f"Tessera needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    fingerprint = _fingerprint()
    if STAMP.exists() and STAMP.read_text() == fingerprint:
        return
    if not PYTHON.exists():
        print(f"Creating the virtual environment in {VENV_NAME} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    elif not _made_by_this_python():
        print(f"Making {VENV_NAME} again for Python {sys.version.split()[0]} …", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    print("Installing Tessera and its dependencies (first run only) …", flush=True)
    pip = (PYTHON, "-m", "pip", "--disable-pip-version-check", "--quiet")
    _call(*pip, "install", "--upgrade", "pip")
    _call(*pip, "install", "-c", "constraints.txt", "-e", ".[dev]")
    STAMP.write_text(fingerprint)


def _exec(*args: str | Path) -> int:
    return subprocess.run([str(a) for a in args], cwd=ROOT, check=False).returncode


def check() -> int:
    """Lint, format check, strict typing and the import contracts; first failure wins."""
    steps = [
        (PYTHON, "-m", "ruff", "check", "."),
        (PYTHON, "-m", "ruff", "format", "--check", "."),
        (PYTHON, "-m", "mypy"),
        (BIN / "lint-imports",),
    ]
    for step in steps:
        print("$", " ".join(str(part) for part in step[1:] or step), flush=True)
        code = _exec(*step)
        if code:
            return code
    return 0


def main(argv: list[str]) -> int:
    """Dispatch ``run``, ``test``, ``check`` or ``setup``."""
    if not argv or argv[0] not in {"run", "test", "check", "setup"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_environment()
    if command == "run":
        return _exec(PYTHON, "-m", "tessera.cli", *rest)
    if command == "test":
        return _exec(PYTHON, "-m", "pytest", *rest)
    if command == "check":
        return check()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
