"""A tab's signs of work: a thin busy bar and, for loads that take a while, Cancel.

Neither shows for work that ends in a blink, so quick loads neither flicker nor make the
window lay itself out again: the bar keeps its room while hidden.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QProgressBar, QPushButton, QSizePolicy, QWidget

from ui.tasks import TaskRunner

BUSY_AFTER_MS = 150  # work still running after this long shows the busy bar
BLINK_MS = 400  # a load still running after this long offers Cancel


def _after(parent: QObject, ms: int, then: Callable[[], None]) -> QTimer:
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(ms)
    timer.timeout.connect(then)
    return timer


class BusySigns(QObject):
    """The busy bar, the Cancel button and Esc of one tab, driven by its task runner."""

    def __init__(self, name: str, tasks: TaskRunner, owner: QWidget, cancel: Callable[[], None]):
        super().__init__(owner)
        self._tasks = tasks
        self.bar = QProgressBar()
        self.bar.setObjectName(f"{name}_busy")
        self.bar.setRange(0, 0)
        self.bar.setMaximumHeight(3)
        self.bar.setTextVisible(False)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        policy.setRetainSizeWhenHidden(True)
        self.bar.setSizePolicy(policy)
        self.bar.setVisible(False)
        self.cancel_button = QPushButton("Cancel loading")
        self.cancel_button.setObjectName(f"{name}_cancel")
        self.cancel_button.setToolTip("Stop loading (Esc). The table keeps what it shows.")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(cancel)
        self.cancel_action = QAction("Cancel loading", owner)
        self.cancel_action.setObjectName(f"{name}_cancel_loading")
        self.cancel_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.cancel_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.cancel_action.setEnabled(False)
        self.cancel_action.triggered.connect(cancel)
        owner.addAction(self.cancel_action)
        self._slow = _after(self, BUSY_AFTER_MS, lambda: self.bar.setVisible(tasks.working))
        self._blink = _after(self, BLINK_MS, lambda: self.cancel_button.setVisible(tasks.reading))
        tasks.working_changed.connect(self._working_changed)
        tasks.reading_changed.connect(self._reading_changed)

    def _working_changed(self, working: bool) -> None:
        if working:
            self._slow.start()
        else:
            self._slow.stop()
            self.bar.setVisible(False)

    def _reading_changed(self, reading: bool) -> None:
        self.cancel_action.setEnabled(reading)
        if reading:
            self._blink.start()
        else:
            self._blink.stop()
            self.cancel_button.setVisible(False)
