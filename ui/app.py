"""Run Tessera on a qasync loop: find the database (wizard if needed), show the window, close.

At every start the schema is checked before the window opens: a new or older database
goes through the wizard (at its Apply page when only migrations are missing); a server
that cannot be reached gets a dialog to retry, edit the connection, or quit.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import qasync
from pydantic import SecretStr
from PySide6.QtCore import QCoreApplication, QSettings, qVersion
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox

from app.domain.changes import ChangeBatch
from app.domain.clock import Clock
from app.domain.connection_check import CheckReport, Problem, SetupError, Target
from app.domain.errors import DomainError
from app.domain.schema import SchemaState
from ui import crash
from ui.backend import Backend, Launcher
from ui.dialogs.asyncdialog import shown
from ui.window import MainWindow
from ui.wizard.setup_wizard import APPLY, WELCOME, WHERE, SetupWizard

T = TypeVar("T")
# Set to anything, Tessera prints READY_LINE on stdout each time the window has loaded its
# data: how tests and benchmarks that drive a real process know the window is usable.
ANNOUNCE_READY_ENV = "TESSERA_ANNOUNCE_READY"
READY_LINE = "tessera: window ready"
CHANGES_LINE = "tessera: changes"


def _announce_ready() -> None:
    if os.environ.get(ANNOUNCE_READY_ENV):
        print(READY_LINE, flush=True)


def _announce_changes(batch: ChangeBatch) -> None:
    # With the same setting, each batch the window followed: "tessera: changes user:update:4".
    if os.environ.get(ANNOUNCE_READY_ENV):
        seen = " ".join(f"{c.entity}:{c.operation}:{c.row_id}" for c in batch.changes)
        print(f"{CHANGES_LINE} {seen}", flush=True)


async def wizard(
    launcher: Launcher, start: int, target: Target | None, report: CheckReport | None = None
) -> Target | None:
    """Run the setup wizard; the target it ended on, or None when cancelled."""
    dialog = SetupWizard(launcher.setup, launcher.parse_url, start=start, target=target)
    dialog.report = report
    accepted = await shown(dialog)
    return dialog.target if accepted else None


async def ask_password(target: Target) -> Target | None:
    """Ask for a password that is not kept in a keyring."""
    dialog = QInputDialog()
    dialog.setObjectName("password_dialog")
    dialog.setWindowTitle("Password needed")
    dialog.setLabelText(
        f"Password for {target.label}\n(Tessera does not store it: no system keyring is "
        "available on this computer.)"
    )
    dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
    if not await shown(dialog):
        return None
    return target.model_copy(update={"password": SecretStr(dialog.textValue())})


UNUSABLE_URL_TITLE = "Tessera cannot use the configured database URL"
UNUSABLE_URL_ADVICE = (
    "Edit the connection to open a database now; correct TESSERA_DATABASE_URL for the next start."
)


async def unreachable(error: DomainError) -> str:
    """Retry, edit the connection, or quit: which the user chose.

    A URL that cannot be used (in ``TESSERA_DATABASE_URL``) offers no Retry: nothing
    would change.
    """
    invalid = isinstance(error, SetupError) and error.problem is Problem.INVALID_URL
    title = UNUSABLE_URL_TITLE if invalid else "Tessera cannot reach the database"
    box = QMessageBox(QMessageBox.Icon.Warning, title, error.message)
    box.setObjectName("unreachable_dialog")
    retry = None
    if not invalid:
        retry = box.addButton("Retry", QMessageBox.ButtonRole.AcceptRole)
        retry.setObjectName("unreachable_retry")
    edit = box.addButton("Edit connection…", QMessageBox.ButtonRole.ActionRole)
    edit.setObjectName("unreachable_edit")
    quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    quit_button.setObjectName("unreachable_quit")
    if invalid:
        box.setInformativeText(UNUSABLE_URL_ADVICE)
    box.setDefaultButton(retry or edit)
    await shown(box)
    clicked = box.clickedButton()
    return "retry" if clicked is retry else "edit" if clicked is edit else "quit"


async def initial_target(launcher: Launcher) -> tuple[bool, Target | None]:
    """Whether to go on, and with which target (None: the wizard's first page).

    ``TESSERA_DATABASE_URL`` that cannot be used is said in words, with Edit connection
    (the wizard, filled with what could be read of it) or Quit.
    """
    try:
        return True, launcher.initial()
    except SetupError as error:
        if error.problem is not Problem.INVALID_URL:
            raise
        if await unreachable(error) != "edit":
            return False, None
        chosen = await wizard(launcher, WHERE, error.target or Target(kind="server"))
        return chosen is not None, chosen


async def ready_target(launcher: Launcher, target: Target | None) -> Target | None:
    """A target whose schema is usable, or None when the user gave up."""
    while True:
        if target is None:
            return await wizard(launcher, WELCOME, None)
        try:
            report = await launcher.setup.check(target)
        except SetupError as error:
            if error.problem is Problem.WRONG_PASSWORD and target.password is None:
                # The password is not kept on this computer: ask, and only when needed.
                target = await ask_password(target)
                if target is None:
                    return None
                continue
            choice = await unreachable(error)
            if choice == "retry":
                continue
            return await wizard(launcher, WHERE, target) if choice == "edit" else None
        if report.state in (SchemaState.CURRENT, SchemaState.AHEAD):
            return target  # an AHEAD schema opens read-only, with a banner saying why
        if report.database_exists and report.can_create_tables:
            return await wizard(launcher, APPLY, target, report)
        return await wizard(launcher, WHERE, target)


async def run_window(
    launcher: Launcher, target: Target, clock: Clock, soon: timedelta, note: str = ""
) -> Target | None:
    """Show the window on ``target`` until it closes; the next target if the user switched."""
    switch_to: Target | None = None
    async with launcher.open(target) as backend:
        window = MainWindow(backend, clock, soon)
        closed = asyncio.Event()
        window.closed.connect(closed.set)

        async def switch() -> None:
            nonlocal switch_to
            chosen = await wizard(launcher, WHERE, target)
            if chosen is not None:
                switch_to = chosen
                window.close()

        window.switch_requested.connect(lambda: window.tasks.spawn(switch(), name="switch"))
        window.ready.connect(_announce_ready)
        window.live.arrived.connect(_announce_changes)
        if sys.platform != "win32":
            # SIGTERM closes the window like the user would: work cancelled, server stopped.
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, window.close)
        window.show()
        window.start()
        if note:
            window.show_message(note)
        await closed.wait()
        await window.shutdown()
    return switch_to


async def run(launcher: Launcher, clock: Clock, soon: timedelta) -> int:
    """From start-up to the last window closed; returns the process exit code."""
    asyncio.get_running_loop().set_exception_handler(crash.loop_exception_handler)
    try:
        going_on, target = await initial_target(launcher)
        if not going_on:
            return 0
        while True:
            # The local server a check started stays up for the window (the launcher's open
            # reuses it); the finally below stops it once, at the end of the launch.
            target = await ready_target(launcher, target)
            if target is None:
                return 0
            note = ""
            if not launcher.remember(target) and target.password is not None:
                note = (
                    "No system keyring is available, so the password was not saved: "
                    "Tessera will ask for it at each start."
                )
            target = await run_window(launcher, target, clock, soon, note)
            if target is None:
                return 0
    except DomainError as error:
        box = QMessageBox(QMessageBox.Icon.Critical, "Tessera cannot start", error.message)
        box.setObjectName("startup_error")
        await shown(box)
        return 1
    finally:
        await launcher.setup.close()


def startup_failed(message: str) -> None:
    """Tell, in a dialog, why Tessera cannot start (before there is a loop or a launcher)."""
    _application()
    box = QMessageBox(QMessageBox.Icon.Critical, "Tessera cannot start", message)
    box.setObjectName("startup_error")
    box.exec()


def _application() -> QApplication:
    QCoreApplication.setOrganizationName("Tessera")
    QCoreApplication.setApplicationName("Tessera")
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    return app


def main(launcher: Launcher, clock: Clock, soon: timedelta) -> int:
    """Create the QApplication and run :func:`run` on a qasync loop."""
    app = _application()
    # The loop ends when the coroutine does, after the database is closed, not when the
    # last window disappears.
    app.setQuitOnLastWindowClosed(False)
    crash.install()
    return int(qasync.run(run(launcher, clock, soon)))


# The self-test (``tessera --self-test``): the window on a database, without a screen ------------


class WindowFailed(Exception):
    """The window reported an error instead of becoming ready."""


async def window_ready(
    backend: Backend, clock: Clock, soon: timedelta, settings_file: Path, seconds: float = 120
) -> str:
    """Open the main window on ``backend``, wait for ``ready``, close it; returns Qt's version.

    The window's settings go to ``settings_file``, not the user's.

    Raises:
        WindowFailed: the window said something went wrong.
        TimeoutError: it was not ready within ``seconds``.
    """
    settings = QSettings(str(settings_file), QSettings.Format.IniFormat)
    window = MainWindow(backend, clock, soon, settings)
    outcome: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()

    def finish(error: str | None) -> None:
        if not outcome.done():
            outcome.set_result(error)

    window.ready.connect(lambda: finish(None))
    window.ready.connect(_announce_ready)  # the benchmark times --self-test to this line
    window.tasks.failed.connect(finish)
    try:
        window.show()
        window.start()
        error = await asyncio.wait_for(outcome, seconds)
        if error is not None:
            raise WindowFailed(error)
    finally:
        window.close()
        await window.shutdown()
        window.deleteLater()
    return qVersion()


def run_offscreen(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``work`` on a qasync loop in a QApplication (set QT_QPA_PLATFORM before)."""
    QCoreApplication.setOrganizationName("Tessera")
    QCoreApplication.setApplicationName("Tessera")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    result: T = qasync.run(work())
    return result
