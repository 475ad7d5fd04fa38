"""Losing the database mid-session and getting it back without a restart.

The first tests run on fakes whose probe fails while ``reachable`` is False. The last one
stops and starts a real embedded PostgreSQL server of its own while the window shows rows
and an edit dialog is open.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
from sqlalchemy.engine import make_url

from app.bootstrap import Tessera, open_tessera
from app.domain.errors import Unavailable
from app.domain.users import UserDraft
from app.infrastructure.embedded import EmbeddedPostgres
from app.infrastructure.settings import Settings
from tests.clock import FrozenClock
from tests.gui.conftest import Backend
from tests.gui.helpers import emitted, modal, started, until
from ui.dialogs.users import UserDialog
from ui.window import MainWindow

RECONNECT_BOUND_S = 2.0


def _status(window: MainWindow) -> str:
    return window.connection.label.text() if window.connection.widget.isVisible() else ""


async def _unreachable(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake server goes away: its list fails and so does the probe."""

    async def gone(*_: Any) -> Any:
        raise Unavailable()

    backend.reachable = False
    monkeypatch.setattr(backend.users, "list", gone)


async def test_a_lost_database_shows_in_the_status_bar_and_comes_back(
    fake_backend: Backend, make_window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("Ana", "Anahí", "Bo"):
        await fake_backend.users.create(
            UserDraft(email=f"{name.lower()}@example.org", display_name=name)
        )
    window: MainWindow = make_window(fake_backend)
    await started(window)
    tab = window.users_tab
    tab.search.setText("ana")
    await emitted(tab.loaded)
    shown = list(tab.model.rows)
    real_list = fake_backend.users.list

    await _unreachable(fake_backend, monkeypatch)
    tab.reload()
    await until(lambda: _status(window), what="the disconnected status")
    assert _status(window).startswith("Disconnected — retrying")
    assert window.connection.retry_button.isVisible()
    assert list(tab.model.rows) == shown  # still readable
    assert tab.view.isEnabled()
    assert not window.connection.connected

    attempts = window.connection.attempts
    window.connection.retry_now()
    await until(lambda: window.connection.attempts > attempts, what="an attempt right away")

    monkeypatch.setattr(fake_backend.users, "list", real_list)
    fake_backend.reachable = True
    reloaded = emitted(tab.loaded)
    await emitted(window.connection.reconnected)
    assert not window.connection.widget.isVisible()
    assert window.statusBar().currentMessage() == "Reconnected."
    await reloaded
    assert tab.search.text() == "ana"  # the reload keeps the search
    assert [u.display_name for u in tab.model.rows] == ["Ana", "Anahí"]


async def test_a_save_that_finds_the_server_gone_tells_the_window(
    fake_backend: Backend, make_window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    await fake_backend.users.create(UserDraft(email="ana@example.org", display_name="Ana"))
    window: MainWindow = make_window(fake_backend)
    await started(window)
    window.users_tab.view.selectRow(0)
    window.users_tab.edit_action.trigger()
    dialog = await modal(UserDialog)
    dialog.display_name.setText("Ana María")

    async def gone(*_: Any) -> Any:
        raise Unavailable()

    fake_backend.reachable = False
    monkeypatch.setattr(fake_backend.users, "update", gone)
    dialog.save_button.click()
    await until(lambda: _status(window), what="the disconnected status after a failed save")
    assert dialog.isVisible()
    assert dialog.display_name.text() == "Ana María"  # what was typed is kept
    assert dialog.error_at("") == Unavailable().message
    dialog.reject()


async def test_a_failed_query_on_a_live_server_is_not_an_outage(
    fake_backend: Backend, make_window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    window: MainWindow = make_window(fake_backend)
    await started(window)

    async def timed_out(*_: Any) -> Any:
        raise Unavailable("The database took too long to answer and the request was cancelled.")

    monkeypatch.setattr(fake_backend.users, "list", timed_out)
    failed = emitted(window.users_tab.tasks.failed)
    window.users_tab.reload()
    await failed
    await until(lambda: not window.connection.tasks.busy, what="the probe to finish")
    assert window.connection.connected
    assert not window.connection.widget.isVisible()
    assert "took too long" in window.statusBar().currentMessage()


async def test_an_outage_before_the_first_load_starts_over_when_it_ends(
    fake_backend: Backend, make_window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_backend.reachable = False
    real_state = fake_backend.migrations.state

    async def gone() -> Any:
        raise Unavailable()

    monkeypatch.setattr(fake_backend.migrations, "state", gone)
    window: MainWindow = make_window(fake_backend)
    window.show()
    window.start()
    await until(lambda: _status(window), what="the disconnected status")
    monkeypatch.setattr(fake_backend.migrations, "state", real_state)
    ready = emitted(window.ready)
    fake_backend.reachable = True
    await ready
    assert window.connection.connected


# On a real server ---------------------------------------------------------------------------


@pytest_asyncio.fixture
async def own_server() -> AsyncIterator[EmbeddedPostgres]:
    """An embedded PostgreSQL server for this test alone: it stops and starts it.

    Not under pytest's ``tmp_path``: as root the server runs as another user, and every
    new pytest session makes ``pytest-of-root`` private again (0700), which would lock that
    user out of its own cluster if another run starts in the middle of this test.
    """
    with tempfile.TemporaryDirectory(prefix="tessera-reconnect-") as folder:
        server = EmbeddedPostgres(Path(folder) / "pg")
        await asyncio.to_thread(server.start)
        try:
            yield server
        finally:
            await asyncio.to_thread(server.stop)


@pytest_asyncio.fixture
async def tessera(
    own_server: EmbeddedPostgres, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[Tessera]:
    """Tessera opened on the test's own server, as the app opens a database by URL."""
    settings = Settings(_env_file=None, database_url=own_server.url, data_dir=tmp_path / "data")
    async with open_tessera(settings, clock) as opened:
        await opened.migrations.upgrade()
        yield opened


async def _first_accept(url: str) -> float:
    """When the server first accepts a connection (polled every few milliseconds)."""
    parsed = make_url(url)
    host = str(parsed.query["host"])
    while True:
        try:
            connection = await asyncpg.connect(
                host=host, user="postgres", database=parsed.database, timeout=1
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            await asyncio.sleep(0.005)
            continue
        accepted = time.monotonic()
        await connection.close()
        return accepted


@pytest.mark.slow
async def test_stopping_and_starting_the_server_keeps_the_window_and_the_typing(
    own_server: EmbeddedPostgres,
    tessera: Tessera,
    make_window: Any,
    record_property: Any,
) -> None:
    await tessera.users.create(UserDraft(email="ana@example.org", display_name="Ana"))
    await tessera.users.create(UserDraft(email="bo@example.org", display_name="Bo"))
    window: MainWindow = make_window(tessera)
    await started(window, within=20)
    tab = window.users_tab
    tab.view.selectRow(0)
    tab.edit_action.trigger()
    dialog = await modal(UserDialog)
    dialog.display_name.setText("Ana García")
    url = own_server.url

    await asyncio.to_thread(own_server.stop)
    dialog.save_button.click()
    await until(lambda: dialog.error_at(""), within=10, what="the error at the form")
    assert "cannot be reached" in dialog.error_at("")
    assert dialog.isVisible()
    assert dialog.display_name.text() == "Ana García"
    assert dialog.save_button.isEnabled()

    began = time.monotonic()
    with pytest.raises(Unavailable):
        await tessera.server_version()  # the probe: a dead socket fails at once, no wait
    assert time.monotonic() - began < 0.5
    tab.reload()
    await until(lambda: _status(window), within=10, what="the disconnected status")
    assert _status(window).startswith("Disconnected — retrying")
    assert [u.display_name for u in tab.model.rows] == ["Ana", "Bo"]
    if shots := os.environ.get("TESSERA_SCREENSHOTS"):
        window.grab().save(str(Path(shots) / "disconnected.png"))

    came_back: list[float] = []
    window.connection.reconnected.connect(lambda: came_back.append(time.monotonic()))
    reloaded = emitted(tab.loaded, within=20)
    accept = asyncio.ensure_future(_first_accept(url))
    assert await asyncio.to_thread(own_server.start) == url
    accepted = await asyncio.wait_for(accept, 20)
    await until(lambda: came_back, within=10, what="reconnected")
    took = came_back[0] - accepted
    record_property("reconnect_s", round(took, 3))
    print(f"reconnected {took:.3f} s after the server accepted connections")
    assert took < RECONNECT_BOUND_S
    await reloaded
    assert [u.display_name for u in tab.model.rows] == ["Ana", "Bo"]

    dialog.save_button.click()
    await until(lambda: not dialog.isVisible(), within=10, what="the dialog to close")
    assert tab.model.rows[0].display_name == "Ana García"
    stored = await tessera.users.get(tab.model.rows[0].id)
    assert stored.display_name == "Ana García"
    await window.shutdown()
