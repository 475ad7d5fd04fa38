"""``tessera --self-test`` unfrozen: a fresh temporary database, migrated, under the window."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
import pytest

from app.infrastructure.migrations import MIGRATIONS_DIR

ROOT = Path(__file__).resolve().parents[2]


def _head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def _self_test_servers() -> list[psutil.Process]:
    marker = str(Path(tempfile.gettempdir()) / "tessera-self-test-")
    return [
        p
        for p in psutil.process_iter(["name", "cmdline"])
        if (p.info["name"] or "").startswith("postgres")
        and any(marker in arg for arg in p.info["cmdline"] or ())
    ]


def test_self_test_passes_on_a_fresh_database_and_leaves_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TESSERA_", "TEST_", "XDG_"))}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_STATE_HOME=str(home / ".local/state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        QT_QPA_PLATFORM="xcb",  # the self-test must force offscreen itself
    )
    before = {p.pid for p in _self_test_servers()}

    done = subprocess.run(
        [sys.executable, "-m", "tessera.cli", "--self-test"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("self-test ok:")]
    assert len(lines) == 1, done.stdout
    assert lines[0].endswith(f", schema {_head()}")
    assert ", PostgreSQL 18" in lines[0]
    assert [p for p in _self_test_servers() if p.pid not in before] == []
    # Nothing of the user's was touched: no data folder, no window settings.
    assert not (home / ".local/share/tessera").exists()
    assert not (home / ".config/Tessera").exists()


def test_self_test_failure_is_one_line_exit_1_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import ui.app
    from tessera import cli

    made: list[Path] = []
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(prefix: str) -> str:
        made.append(Path(real_mkdtemp(prefix=prefix, dir=tmp_path)))
        return str(made[-1])

    def broken(work: object) -> str:
        raise RuntimeError("the window would not open\nsecond line of detail")

    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    monkeypatch.setattr(ui.app, "run_offscreen", broken)

    assert cli.main(["--self-test"]) == 1

    out, err = capsys.readouterr()
    assert out == ""
    assert err == "self-test failed: RuntimeError: the window would not open\n"
    assert os.environ["QT_QPA_PLATFORM"] == "offscreen"
    assert len(made) == 1
    assert not made[0].exists()
