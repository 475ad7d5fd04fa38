"""The disconnected message is readable in full in a narrow (715 px) window."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QStatusBar

from app.domain.errors import Unavailable
from tests.gui.conftest import Backend
from tests.gui.helpers import started, until
from ui.window import MainWindow

NARROW = 715


async def test_the_disconnected_message_fits_a_715_px_window(
    fake_backend: Backend, make_window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    window: MainWindow = make_window(fake_backend)
    window.resize(NARROW, 600)
    await started(window)

    async def gone(*_: Any) -> Any:
        raise Unavailable()

    fake_backend.reachable = False
    monkeypatch.setattr(fake_backend.users, "list", gone)
    window.users_tab.reload()
    bar = window.connection
    await until(lambda: bar.widget.isVisible() and bar.label.text(), what="the disconnected bar")
    await until(lambda: bar.label.width() > 0, what="a laid-out label")
    window.grab().save("/tmp/views-disconnected-715.png")
    label = bar.label
    needed = label.fontMetrics().horizontalAdvance(label.text())
    assert label.width() >= needed or label.wordWrap(), (label.width(), needed)
    if label.wordWrap():
        assert label.height() >= label.heightForWidth(label.width())
    assert bar.retry_button.isVisible()
    assert "What you see stays as it was loaded." in label.text()
    message = window.statusBar().currentMessage()
    room = window.statusBar().width() - bar.widget.width()
    assert window.statusBar().fontMetrics().horizontalAdvance(message) < room, message
    status = window.findChild(QStatusBar)
    assert status is not None
    assert bar.widget.geometry().right() <= status.width()
    assert bar.widget.geometry().left() >= 0
