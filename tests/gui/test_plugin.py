"""Tessera's pytest plugin, as a QA suite outside the repository meets it.

Each test writes a small suite into a temporary folder (no conftest, no ini file of the
project) and runs pytest on it in a subprocess with this environment, where Tessera and
so its ``pytest11`` entry point are installed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

LOOPS = """
import asyncio

import pytest
import qasync


def on_qasync():
    return isinstance(asyncio.get_running_loop(), qasync.QEventLoop)


async def test_a_database_test_runs_on_qasync(tessera_database_url):
    import asyncpg

    assert on_qasync()
    url = tessera_database_url.set(drivername="postgresql")
    connection = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        assert await connection.fetchval("SELECT count(*) FROM users") == 0
    finally:
        await connection.close()


async def test_a_qt_test_runs_on_qasync(qtbot):
    assert on_qasync()


@pytest.mark.qasync
async def test_a_marked_test_runs_on_qasync():
    assert on_qasync()


async def test_any_other_async_test_keeps_plain_asyncio():
    assert not on_qasync()
"""


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # A subprocess: the inner run makes its own QApplication and loops, as a suite would.
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=300)


def test_a_suite_without_ini_or_conftest_gets_qasync_for_the_kit_and_qt(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_loops=LOOPS)
    result = _run(pytester)
    result.assert_outcomes(passed=4)
    assert "is unset" not in result.stdout.str()  # no deprecation notice about loop scopes


def test_without_the_plugin_the_same_suite_does_not_pass(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_loops=LOOPS)
    result = _run(pytester, "-p", "no:tessera")
    assert result.ret != 0
    assert result.parseoutcomes().get("passed", 0) < 4


def test_a_conftest_puts_more_tests_on_qasync_through_the_plugins_hook(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
import pytest

@pytest.hookimpl(optionalhook=True)
def pytest_tessera_qasync(item):
    return True if "desk" in item.name else None
"""
    )
    pytester.makepyfile(
        test_hook="""
import asyncio
import qasync

async def test_desk():
    assert isinstance(asyncio.get_running_loop(), qasync.QEventLoop)

async def test_other():
    assert not isinstance(asyncio.get_running_loop(), qasync.QEventLoop)
"""
    )
    _run(pytester).assert_outcomes(passed=2)


def test_each_xdist_worker_makes_its_own_databases(pytester: pytest.Pytester) -> None:
    seen = pytester.path / "seen"
    seen.mkdir()
    pytester.makepyfile(
        test_workers=f"""
import json
import os
import pathlib

import pytest

@pytest.mark.parametrize("n", range(4))
async def test_database(tessera_database_url, n):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    out = pathlib.Path({str(seen)!r}) / f"{{n}}.json"
    out.write_text(json.dumps([worker, tessera_database_url.database]))
"""
    )
    _run(pytester, "-n", "2").assert_outcomes(passed=4)
    found = [json.loads(p.read_text()) for p in sorted(Path(seen).iterdir())]
    workers = {worker for worker, _ in found}
    assert workers == {"gw0", "gw1"}
    assert len({name for _, name in found}) == 4
    assert all(f"_{worker}_" in name for worker, name in found)


@pytest.mark.slow
def test_without_a_url_the_embedded_server_is_started_and_stopped(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEST_DATABASE_URL", raising=False)
    pytester.makepyfile(test_loops=LOOPS)
    _run(pytester, "-k", "database").assert_outcomes(passed=1, deselected=3)
    assert not _postgres_under(pytester.path)


def _postgres_under(folder: Path) -> list[int]:
    """Pids of PostgreSQL servers whose data folder is under ``folder`` (none once stopped)."""
    import psutil

    found = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        line = " ".join(process.info["cmdline"] or [])
        if "postgres" in line and str(folder) in line:
            found.append(process.info["pid"])
    return found
