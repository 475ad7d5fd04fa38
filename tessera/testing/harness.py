"""What the ``tessera`` fixture hands a test: windows on a fresh database, a clock, pages."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import URL

from app.bootstrap import open_tessera
from app.infrastructure.settings import Settings
from tessera.testing.clock import FrozenClock
from tessera.testing.driving import click, release_modifiers, replace_text, type_text
from tessera.testing.events_page import EventsPage
from tessera.testing.keyring import MemoryKeyring
from tessera.testing.pages import TokensPage, UsersPage
from tessera.testing.waiting import POLL_S, emitted, until
from ui.dialogs.form import RecordDialog
from ui.dialogs.owner_picker import OwnerPicker
from ui.tasks import TaskRunner
from ui.window import MainWindow

WITHIN_S = 10.0
"""How long a page object waits for the window before it fails the test."""
START_S = 30.0
"""How long a window may take to open (connections, schema check, first loads) on a busy machine."""
DEBOUNCE_MS = 1_000  # a single-shot timer this short and running is work about to start
QUIET_TURNS = 2  # idle means idle on this many looks in a row, the loop turning between


class TesseraWindow:
    """One open window and the page objects that drive it."""

    def __init__(self, window: MainWindow, qtbot: QtBot, clock: FrozenClock) -> None:
        self.window = window
        self.qtbot = qtbot
        self.clock = clock
        self.within = WITHIN_S
        self.users = UsersPage(self)
        self.tokens = TokensPage(self)
        self.events = EventsPage(self)

    async def idle(self, within: float | None = None) -> None:
        """Wait until no database task is pending and the views have settled.

        The window is first told to read the change log (as its safety timer would), so
        what was committed before the call — by this window, another, or psql — is shown
        once this returns. A dialog waiting for the user counts as settled.
        """
        await wait_idle([self.window], within or self.within)

    async def activate(self) -> None:
        """Make this window the active one (keyboard shortcuts go to the active window)."""
        if not self.window.isActiveWindow():
            self.window.raise_()
            self.window.activateWindow()
            await until(self.window.isActiveWindow, self.within, "the window to be active")

    async def pick_owner(self, picker: OwnerPicker, text: str) -> None:
        """Type into an owner field and pick the first user offered (Down, Enter)."""
        picker.setFocus()
        searched = emitted(picker.searched, self.within)
        replace_text(self.qtbot, picker, text)
        await searched
        popup = picker.completer().popup()
        if popup is not None and popup.isVisible():
            self.qtbot.keyClick(popup, Qt.Key.Key_Down)
            self.qtbot.keyClick(popup, Qt.Key.Key_Return)
        if picker.user is None:
            assert picker.choose_first(), f"no user matches {text!r}"
        await until(lambda: picker.user is not None, self.within, f"the owner {text!r}")

    def press_save(self, dialog: RecordDialog) -> None:
        """Click a form's Save."""
        click(self.qtbot, dialog.save_button)

    def press(self, *keys: str) -> None:
        """Press keys where the focus is, as written in menus: ``"Ctrl+N"``, ``"Tab"``."""
        for text in keys:
            combination = QKeySequence(text)[0]  # type: ignore[index]  # stubs lack []
            target = QApplication.focusWidget() or self.window
            self.qtbot.keyClick(target, combination.key(), combination.keyboardModifiers())

    def type(self, text: str) -> None:
        """Type ``text`` where the focus is."""
        target = QApplication.focusWidget()
        assert target is not None, "nothing has the keyboard focus"
        type_text(self.qtbot, target, text)

    @property
    def status(self) -> str:
        """What the status bar says now."""
        return self.window.statusBar().currentMessage()


class Tessera(TesseraWindow):
    """The ``tessera`` fixture: a window on a fresh migrated database, and what it took.

    Attributes:
        database_url: the test's own database (dropped after the test).
        clock: frozen at :data:`tessera.testing.clock.FROZEN_AT`; ``advance`` / ``set``
            make every open window look again.
        keyring: the in-memory keyring in place of the system's.
        windows: every window opened, the first one included.
    """

    def __init__(
        self,
        database_url: URL,
        qtbot: QtBot,
        clock: FrozenClock,
        keyring: MemoryKeyring,
        folder: Path,
    ) -> None:
        self.database_url = database_url
        self.keyring = keyring
        self.windows: list[TesseraWindow] = []
        self._folder = folder
        self._stack = AsyncExitStack()
        self._qtbot = qtbot
        self._clock = clock
        self._stop_listening = clock.on_change(self._clock_moved)

    async def start(self) -> None:
        """Open the first window (the fixture does this)."""
        first = await self.open_window()
        super().__init__(first.window, self._qtbot, self._clock)
        self.windows[0] = self

    async def open_window(self) -> TesseraWindow:
        """Another window on the same database (its own connections, its own change feed)."""
        number = len(self.windows)
        settings = Settings(
            _env_file=None,
            database_url=SecretStr(self.database_url.render_as_string(hide_password=False)),
            data_dir=self._folder / f"data-{number}",
        )
        backend = await self._stack.enter_async_context(open_tessera(settings, self._clock))
        ini = QSettings(str(self._folder / f"window-{number}.ini"), QSettings.Format.IniFormat)
        window = MainWindow(backend, self._clock, settings.expiring_soon, ini)
        self._stack.push_async_callback(_close, window)
        window.show()
        ready = emitted(window.ready, START_S)
        window.start()
        await ready
        window.activateWindow()
        driver = TesseraWindow(window, self._qtbot, self._clock)
        self.windows.append(driver)
        await wait_idle([window], START_S)
        return driver

    async def idle(self, within: float | None = None) -> None:
        """Wait until every open window is idle (see :meth:`TesseraWindow.idle`)."""
        await wait_idle([w.window for w in self.windows], within or self.within)

    def _clock_moved(self, _: Any) -> None:
        # What a person would see after a while: statuses and counts as of the new time.
        for driver in self.windows:
            driver.window.reload_all()

    async def close(self) -> None:
        """Close every window, dialogs first, and the database connections."""
        self._stop_listening()
        release_modifiers()
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()
        await self._stack.aclose()


async def _close(window: MainWindow) -> None:
    window.close()
    await window.shutdown()
    # Closing the listening connection calls its termination listener soon after: let it
    # run while the window's timers still exist (ui/live.py touches one there).
    for _ in range(QUIET_TURNS):
        await asyncio.sleep(0)
    window.deleteLater()


async def wait_idle(windows: list[MainWindow], within: float) -> None:
    """Wait until each window's tasks are done and no search is about to start."""
    for window in windows:
        if window.backend.changes.started:
            window.live.wake()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    quiet = 0
    while quiet < QUIET_TURNS:
        await asyncio.sleep(POLL_S)
        busy = [what for window in windows for what in _pending(window)]
        quiet = 0 if busy else quiet + 1
        if busy and loop.time() > deadline:
            raise AssertionError(f"the window is still busy after {within} s: {busy}")


def _pending(window: MainWindow) -> list[str]:
    asking = any(
        isinstance(w, QDialog) and w.isVisible() and w.isModal()
        for w in QApplication.topLevelWidgets()
    )
    pending = [
        _describe(runner)
        for runner in window.findChildren(TaskRunner)
        if runner.working or (runner.busy and not asking)
    ]
    pending.extend(
        f"a timer of {_describe(timer)}"
        for timer in window.findChildren(QTimer)
        if timer.isActive() and timer.isSingleShot() and timer.interval() <= DEBOUNCE_MS
    )
    return pending


def _describe(thing: Any) -> str:
    parent = thing.parent()
    name = parent.objectName() if isinstance(parent, QWidget) else type(parent).__name__
    return name or type(parent).__name__
