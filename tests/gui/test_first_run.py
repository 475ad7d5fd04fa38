"""First start as a new user would meet it, and the wizard on a real server's empty database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import psutil
import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QMessageBox, QWizard
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

from app.domain.connection_check import Target
from app.domain.tokens import DEFAULT_SOON
from app.infrastructure.connection_check import SqlDatabaseSetup, target_from_url
from app.infrastructure.embedded import EmbeddedPostgres
from app.infrastructure.profiles import ProfileStore
from app.infrastructure.settings import Settings
from app.launcher import AppLauncher
from tests.clock import FrozenClock
from tests.gui.helpers import NOW, emitted, modal, press, until
from ui import app as ui_app
from ui.window import MainWindow
from ui.wizard.setup_wizard import APPLY, CHECK, DONE, SetupWizard


def _launcher(tmp_path: Path) -> AppLauncher:
    settings = Settings(_env_file=None, database_url=None, data_dir=tmp_path / "data")
    store = ProfileStore(tmp_path / "config", keyring_backend=fail.Keyring())
    return AppLauncher(settings, store, FrozenClock(NOW))


def _servers_on(folder: Path) -> list[psutil.Process]:
    return [
        p
        for p in psutil.process_iter(["name", "cmdline"])
        if (p.info["name"] or "").startswith("postgres")
        and any(str(folder) in arg for arg in p.info["cmdline"] or ())
    ]


async def _window_ready() -> MainWindow:
    window = await modal(MainWindow, within=30)
    await until(lambda: window.users_tab.count_label.text(), within=30, what="the first load")
    return window


async def test_a_new_user_is_two_clicks_from_the_window(tmp_path: Path) -> None:
    launcher = _launcher(tmp_path)
    clock = FrozenClock(NOW)
    running = asyncio.ensure_future(ui_app.run(launcher, clock, DEFAULT_SOON))
    wizard = await modal(SetupWizard)
    press(wizard, "wizard_quick_local")  # click 1
    await until(lambda: wizard.currentId() == DONE, within=60, what="the Done page")
    wizard.button(QWizard.WizardButton.FinishButton).click()  # click 2
    window = await _window_ready()
    assert window.windowTitle() == "Tessera — Local database"
    assert window.users_tab.count_label.text() == "0 users"
    window.close()
    assert await asyncio.wait_for(running, 30) == 0
    assert _servers_on(tmp_path / "data") == []

    # The next start opens the window directly, on the saved local profile.
    again = _launcher(tmp_path)
    assert again.initial() == Target()
    running = asyncio.ensure_future(ui_app.run(again, clock, DEFAULT_SOON))
    window = await _window_ready()
    assert not any(isinstance(w, SetupWizard) and w.isVisible() for w in window.children())
    window.close()
    assert await asyncio.wait_for(running, 30) == 0
    assert _servers_on(tmp_path / "data") == []


async def test_a_start_on_the_local_database_starts_its_server_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[EmbeddedPostgres] = []
    real_start = EmbeddedPostgres.start

    def counted_start(server: EmbeddedPostgres) -> str:
        started.append(server)
        return real_start(server)

    monkeypatch.setattr(EmbeddedPostgres, "start", counted_start)
    clock = FrozenClock(NOW)

    # The first start: the wizard checks, creates and migrates, then the window opens.
    running = asyncio.ensure_future(ui_app.run(_launcher(tmp_path), clock, DEFAULT_SOON))
    wizard = await modal(SetupWizard)
    press(wizard, "wizard_quick_local")
    await until(lambda: wizard.currentId() == DONE, within=60, what="the Done page")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    window = await _window_ready()
    assert window.users_tab.count_label.text() == "0 users"
    assert len(started) == 1
    assert started[0].pid is not None
    window.close()
    assert await asyncio.wait_for(running, 30) == 0
    assert len(started) == 1
    assert started[0].pid is None
    assert _servers_on(tmp_path / "data") == []

    # A later start on the saved local profile: the start-up check, then the window.
    running = asyncio.ensure_future(ui_app.run(_launcher(tmp_path), clock, DEFAULT_SOON))
    window = await _window_ready()
    assert window.windowTitle() == "Tessera — Local database"
    assert len(started) == 2
    window.close()
    assert await asyncio.wait_for(running, 30) == 0
    assert len(started) == 2
    assert started[1].pid is None
    assert _servers_on(tmp_path / "data") == []


def _target(database: URL) -> Target:
    host = database.host or str(database.query["host"])
    return Target(
        kind="server",
        host=host,
        port=database.port or 5432,
        database=str(database.database),
        user=database.username or "postgres",
        ssl_mode="disable",
    )


async def test_the_wizard_migrates_an_empty_database_on_a_server(
    empty_database: URL, tmp_path: Path
) -> None:
    setup = SqlDatabaseSetup(Settings(_env_file=None, data_dir=tmp_path))
    target = _target(empty_database)
    wizard = SetupWizard(setup, target_from_url, target=target)
    wizard.show()
    try:
        wizard.next()
        assert wizard.where.server.isChecked()
        assert wizard.where.host.text() == target.host
        checked = emitted(wizard.checked, within=30)
        wizard.next()
        (report,) = await checked
        assert report is not None
        assert wizard.currentId() == CHECK
        assert "The database is empty: 5 migrations to apply" in wizard.check_page.status.text()
        wizard.next()
        assert wizard.currentId() == APPLY
        applied = emitted(wizard.applied, within=60)
        press(wizard, "wizard_apply_button")
        assert await applied == (True,)
        assert "Applied 0002" in wizard.apply_page.log.toPlainText()
    finally:
        wizard.close()
        await setup.close()
    engine = create_async_engine(empty_database)
    try:
        async with engine.connect() as connection:
            tables = await connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            )
            assert set(tables.scalars()) == {
                "users",
                "tokens",
                "events",
                "change_log",
                "alembic_version",
            }
    finally:
        await engine.dispose()


async def test_an_unknown_profile_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, database_url=None, data_dir=tmp_path / "data")
    store = ProfileStore(tmp_path / "config", keyring_backend=fail.Keyring())
    launcher = AppLauncher(settings, store, FrozenClock(NOW), profile="production")
    running = asyncio.ensure_future(ui_app.run(launcher, FrozenClock(NOW), DEFAULT_SOON))
    box = await modal(QMessageBox, "startup_error")
    assert box.text() == "No saved connection is called “production” (saved: none yet)."
    box.accept()
    assert await asyncio.wait_for(running, 10) == 1
