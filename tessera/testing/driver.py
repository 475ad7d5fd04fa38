"""What page objects need of the window they drive (the harness provides it)."""

from __future__ import annotations

from typing import Protocol

from pytestqt.qtbot import QtBot

from tessera.testing.clock import FrozenClock
from ui.dialogs.form import RecordDialog
from ui.dialogs.owner_picker import OwnerPicker
from ui.window import MainWindow


class Driver(Protocol):
    """One open window, with the means to wait on it and to type into it."""

    window: MainWindow
    qtbot: QtBot
    clock: FrozenClock
    within: float  # seconds a page object waits before it fails the test

    async def idle(self, within: float | None = None) -> None:
        """Wait until the window's tasks are done and its views settled."""
        ...

    async def activate(self) -> None:
        """Make the window the active one."""
        ...

    async def pick_owner(self, picker: OwnerPicker, text: str) -> None:
        """Choose a user in an owner field by typing."""
        ...

    def press_save(self, dialog: RecordDialog) -> None:
        """Click a form's Save."""
        ...
