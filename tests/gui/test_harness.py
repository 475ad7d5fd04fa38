"""The GUI test harness itself: an async test drives a qasync slot through a real click."""

from __future__ import annotations

import asyncio

import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot


class _Probe(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("probe")
        self.button = QPushButton("Load")
        self.button.setObjectName("load_button")
        self.label = QLabel("idle")
        self.label.setObjectName("status_label")
        self.done: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        layout = QVBoxLayout(self)
        layout.addWidget(self.button)
        layout.addWidget(self.label)
        self.button.clicked.connect(self._load)

    @qasync.asyncSlot()
    async def _load(self) -> None:
        self.button.setEnabled(False)
        try:
            await asyncio.sleep(0)  # yields to the loop, as a database call would
            self.label.setText("loaded")
            self.done.set_result(self.label.text())
        finally:
            self.button.setEnabled(True)


async def test_click_runs_async_slot_on_the_qasync_loop(qtbot: QtBot) -> None:
    assert isinstance(asyncio.get_running_loop(), qasync.QEventLoop)
    probe = _Probe()
    qtbot.addWidget(probe)
    qtbot.mouseClick(probe.button, Qt.MouseButton.LeftButton)
    assert await asyncio.wait_for(probe.done, timeout=5) == "loaded"
    assert probe.label.text() == "loaded"
    assert probe.button.isEnabled()
