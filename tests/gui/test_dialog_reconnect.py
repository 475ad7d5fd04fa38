"""An open dialog hears that the database is back: its "cannot be reached" goes away."""

from __future__ import annotations

from typing import Any

import pytest

from app.domain.errors import Unavailable
from app.domain.users import UserDraft
from tests.gui.conftest import Backend
from tests.gui.helpers import emitted, modal, started, until
from ui.dialogs.users import UserDialog
from ui.window import MainWindow


async def test_a_dialog_forgets_the_outage_when_the_connection_comes_back(
    fake_backend: Backend, make_window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    await fake_backend.users.create(UserDraft(email="ana@example.org", display_name="Ana"))
    window: MainWindow = make_window(fake_backend)
    await started(window)
    window.users_tab.view.selectRow(0)
    window.users_tab.edit_action.trigger()
    dialog = await modal(UserDialog)
    dialog.display_name.setText("Ana María")
    update = fake_backend.users.update

    async def gone(*_: Any) -> Any:
        raise Unavailable()

    fake_backend.reachable = False
    monkeypatch.setattr(fake_backend.users, "update", gone)
    disconnected = emitted(window.connection.disconnected)
    dialog.save_button.click()
    await disconnected
    await until(lambda: dialog.error_at(""), what="the error at the form")
    assert dialog.error_at("") == Unavailable().message

    monkeypatch.setattr(fake_backend.users, "update", update)
    fake_backend.reachable = True
    await emitted(window.connection.reconnected)
    assert dialog.error_at("") == ""
    assert dialog.display_name.text() == "Ana María"
    assert dialog.save_button.isEnabled()
    dialog.save_button.click()
    await until(lambda: not dialog.isVisible(), what="the save to go through")
