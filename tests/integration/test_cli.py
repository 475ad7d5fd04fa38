"""``tessera`` end to end: a fresh data folder becomes a migrated local database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]


def _tessera(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tessera.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _servers_on(folder: Path) -> list[psutil.Process]:
    return [
        p
        for p in psutil.process_iter(["name", "cmdline"])
        if (p.info["name"] or "").startswith("postgres")
        and any(str(folder) in arg for arg in p.info["cmdline"] or ())
    ]


def test_first_run_on_embedded_server_migrates_then_reports(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TESSERA_", "TEST_"))}
    env["TESSERA_DATA_DIR"] = str(tmp_path / "data")

    first = _tessera("status", env=env)
    assert first.returncode == 0, first.stderr
    assert "Database: Local database (PostgreSQL 18" in first.stdout
    assert "applied 0001: Users, tokens and events." in first.stdout
    assert "0 users, 0 tokens (0 expired or expiring soon), 0 events" in first.stdout

    again = _tessera("status", env=env)
    assert again.returncode == 0, again.stderr
    assert "Schema is up to date." in again.stdout
    assert _servers_on(tmp_path / "data") == []


def test_unreachable_server_is_a_one_line_error(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TESSERA_", "TEST_"))}
    env["TESSERA_DATABASE_URL"] = "postgresql://tessera:pw@127.0.0.1:1/none"
    env["TESSERA_DATA_DIR"] = str(tmp_path)
    done = _tessera("status", env=env)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "tessera: Nothing answers on 127.0.0.1:1. Is the server running, and is the port right?"
    )
    assert "Traceback" not in done.stderr
