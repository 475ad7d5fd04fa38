"""Tessera's pytest plugin, registered through the ``pytest11`` entry point.

A test that uses ``tessera``, ``tessera_database_url``, pytest-qt's ``qtbot`` or ``qapp``,
or is marked ``@pytest.mark.qasync`` runs on a qasync loop over the one QApplication, as
Tessera itself does; other ``async def`` tests keep a plain asyncio loop. Without an ini
file of its own a suite gets ``asyncio_mode = auto`` (``async def`` tests need no marker)
and the offscreen platform when there is no display. See docs/testing.md.

This module imports nothing heavy at import time: it is loaded by every pytest run in an
environment where Tessera is installed.
"""

from __future__ import annotations

import asyncio
import os
import warnings
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

try:  # async fixtures work in asyncio_mode strict too; without pytest-asyncio they cannot run
    from pytest_asyncio import fixture as async_fixture
except ImportError:  # pragma: no cover - Tessera's test extras bring it
    async_fixture = pytest.fixture  # type: ignore[assignment]

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot
    from sqlalchemy.engine import URL

    from tessera.testing.clock import FrozenClock
    from tessera.testing.harness import Tessera
    from tessera.testing.keyring import MemoryKeyring

QASYNC_FIXTURES = frozenset({"tessera", "tessera_database_url", "qtbot", "qapp"})
OFFSCREEN_NOTES = "This plugin does not support"  # the offscreen platform on raise, grab…
_SCOPE_UNSET = 'The configuration option "asyncio_default_fixture_loop_scope" is unset'


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from tessera.testing import hooks

    pluginmanager.add_hookspecs(hooks)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tessera", "Tessera's test kit")
    group.addoption(
        "--tessera-db-url",
        dest="tessera_db_url",
        default=None,
        metavar="URL",
        help="PostgreSQL server for test databases (default: $TEST_DATABASE_URL, else an "
        "embedded server started for the session). The role must be allowed to create "
        "databases.",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "qasync: run this async test on a qasync loop over the QApplication"
    )
    if not _in_ini_file(config, "asyncio_mode") and config.getoption("asyncio_mode", None) is None:
        config.option.asyncio_mode = "auto"
    if not _in_ini_file(config, "asyncio_default_fixture_loop_scope"):
        # Unset, async fixtures run on the loop of their own scope, which is what a suite
        # without an ini file wants; the deprecation notice would only be noise there.
        warnings.filterwarnings("ignore", message=_SCOPE_UNSET)
    if not _in_ini_file(config, "qt_log_ignore") and config.pluginmanager.hasplugin("pytest-qt"):
        config.addinivalue_line("qt_log_ignore", OFFSCREEN_NOTES)
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _in_ini_file(config: pytest.Config, name: str) -> bool:
    # Whether the suite's own configuration file sets ``name`` (then it is left alone).
    path = config.inipath
    try:
        return path is not None and name in path.read_text(encoding="utf-8")
    except OSError:
        return False


@pytest.hookimpl(optionalhook=True)
def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
    """Tessera's tests get a qasync loop; every other async test plain asyncio."""
    if wants_qasync(item):
        return {"qasync": qasync_loop}
    return {"asyncio": asyncio.new_event_loop}


def wants_qasync(item: pytest.Item) -> bool:
    """Whether ``item`` runs on qasync: a Qt or Tessera fixture, the marker, or the hook."""
    if item.get_closest_marker("qasync") is not None:
        return True
    if QASYNC_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return True
    return bool(item.ihook.pytest_tessera_qasync(item=item))


def qasync_loop() -> asyncio.AbstractEventLoop:
    """A qasync loop on the QApplication (made if needed), as Tessera's own run loop."""
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)  # as in the app: closing a window must not stop it
    loop: asyncio.AbstractEventLoop = qasync.QEventLoop(app)
    return loop


# Fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def tessera_server_url(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[URL]:
    """The PostgreSQL server test databases are made on, for the whole session.

    ``--tessera-db-url``, else ``$TEST_DATABASE_URL``, else the embedded server started in a
    temporary folder (one per pytest-xdist worker) and stopped at the end.
    """
    from tessera.testing.databases import URL_VARIABLE, test_server

    configured = pytestconfig.getoption("tessera_db_url") or os.environ.get(URL_VARIABLE)
    with test_server(configured, tmp_path_factory.mktemp("embedded-pg")) as url:
        yield url


@pytest.fixture(scope="session")
def tessera_template(tessera_server_url: URL) -> Iterator[str]:
    """A database migrated to head once per session, which test databases copy."""
    from tessera.testing.databases import drop_database, migrated_database, run_aside

    url = run_aside(lambda: migrated_database(tessera_server_url))
    assert url.database is not None
    try:
        yield url.database
    finally:
        run_aside(lambda: drop_database(url))


@async_fixture
async def tessera_database_url(
    tessera_server_url: URL, tessera_template: str
) -> AsyncIterator[URL]:
    """A fresh database with Tessera's schema, the test's own; dropped afterwards."""
    from tessera.testing.databases import create_database, drop_database

    url = await create_database(tessera_server_url, template=tessera_template, kind="qa")
    try:
        yield url
    finally:
        await drop_database(url)


@pytest.fixture
def tessera_clock() -> FrozenClock:
    """The frozen clock the ``tessera`` fixture's window and services run on."""
    from tessera.testing.clock import FrozenClock

    return FrozenClock()


@pytest.fixture
def tessera_keyring() -> Iterator[MemoryKeyring]:
    """An in-memory keyring in place of the system's, for the test."""
    from tessera.testing.keyring import memory_keyring

    with memory_keyring() as fake:
        yield fake


@async_fixture
async def tessera(
    tessera_database_url: URL,
    tessera_clock: FrozenClock,
    tessera_keyring: MemoryKeyring,
    qtbot: QtBot,
    tmp_path: Path,
) -> AsyncIterator[Tessera]:
    """Tessera's window on a fresh migrated database, ready, with a frozen clock and pages.

    Closed, its work cancelled and its database dropped after the test.
    """
    from tessera.testing.harness import Tessera

    kit = Tessera(tessera_database_url, qtbot, tessera_clock, tessera_keyring, tmp_path)
    try:
        await kit.start()
        yield kit
    finally:
        await kit.close()
