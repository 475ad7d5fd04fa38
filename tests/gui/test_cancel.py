"""Cancelling a slow load from the window: Cancel and Esc stop it, the table keeps its rows."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.domain.users import UserDraft
from tests.gui.conftest import Backend
from tests.gui.helpers import emitted, modal, started, until
from ui.dialogs.users import UserDialog
from ui.window import MainWindow


class Gate:
    """Makes a service's ``list`` wait until the test opens the gate."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, service: Any) -> None:
        self.open = asyncio.Event()
        self.waiting = 0
        self.cancelled = 0
        real = service.list

        async def gated(*args: Any) -> Any:
            self.waiting += 1
            try:
                await self.open.wait()
            except asyncio.CancelledError:
                self.cancelled += 1
                raise
            return await real(*args)

        monkeypatch.setattr(service, "list", gated)


async def _window_with_users(backend: Backend, make_window: Any) -> MainWindow:
    for name in ("Ana", "Bo", "Chidi"):
        await backend.users.create(
            UserDraft(email=f"{name.lower()}@example.org", display_name=name)
        )
    window: MainWindow = make_window(backend)
    await started(window)
    return window


async def test_a_slow_load_offers_cancel_and_cancelling_keeps_the_rows(
    fake_backend: Backend, make_window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = await _window_with_users(fake_backend, make_window)
    tab = window.users_tab
    before = list(tab.model.rows)
    gate = Gate(monkeypatch, fake_backend.users)

    tab.search.setText("bo")
    tab.reload()
    await until(lambda: gate.waiting, what="the load to reach the service")
    assert not tab.cancel_button.isVisible()  # not for a blink
    await until(tab.cancel_button.isVisible, what="the Cancel button")
    assert tab.busy.isVisible()
    if shots := os.environ.get("TESSERA_SCREENSHOTS"):
        window.grab().save(str(Path(shots) / "cancel.png"))

    tab.cancel_button.click()
    await until(lambda: not tab.tasks.reading, what="the load to stop")
    assert gate.cancelled == 1
    assert list(tab.model.rows) == before
    assert window.statusBar().currentMessage() == "Cancelled."
    assert not tab.cancel_button.isVisible()
    assert not tab.busy.isVisible()
    assert tab.search.text() == "bo"  # what was typed stays, for the next try

    gate.open.set()
    loaded = emitted(tab.loaded)
    tab.reload()
    await loaded
    assert [u.display_name for u in tab.model.rows] == ["Bo"]


async def test_escape_cancels_a_load(
    fake_backend: Backend, make_window: Any, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    window = await _window_with_users(fake_backend, make_window)
    tab = window.users_tab
    gate = Gate(monkeypatch, fake_backend.users)
    window.activateWindow()
    tab.view.setFocus()
    tab.reload()
    await until(lambda: gate.waiting, what="the load to reach the service")
    qtbot.keyClick(tab.view, Qt.Key.Key_Escape)
    await until(lambda: not tab.tasks.reading, what="the load to stop")
    assert gate.cancelled == 1
    assert len(tab.model.rows) == 3
    assert window.statusBar().currentMessage() == "Cancelled."


async def test_cancel_leaves_an_open_dialog_alone(
    fake_backend: Backend, make_window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = await _window_with_users(fake_backend, make_window)
    tab = window.users_tab
    tab.view.selectRow(0)
    tab.edit_action.trigger()
    dialog = await modal(UserDialog)
    dialog.display_name.setText("Ana María")
    gate = Gate(monkeypatch, fake_backend.users)
    tab.reload()
    await until(lambda: gate.waiting, what="the load to reach the service")
    tab.cancel_loading()
    await until(lambda: not tab.tasks.reading, what="the load to stop")
    assert dialog.isVisible()
    assert dialog.display_name.text() == "Ana María"
    gate.open.set()
    dialog.save_button.click()
    await until(lambda: not dialog.isVisible(), what="the dialog to close")
    assert tab.model.rows[0].display_name == "Ana María"


async def test_nothing_to_cancel_says_nothing(fake_backend: Backend, make_window: Any) -> None:
    window = await _window_with_users(fake_backend, make_window)
    window.show_message("")
    window.users_tab.cancel_loading()
    assert not window.users_tab.tasks.busy
    assert window.statusBar().currentMessage() == ""
