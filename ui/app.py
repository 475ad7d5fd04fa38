"""Run the window on a qasync loop: open the database, show the window, close cleanly."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta

import qasync
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from app.domain.clock import Clock
from app.domain.errors import DomainError
from ui import crash
from ui.asyncdialog import shown
from ui.backend import Backend
from ui.window import MainWindow

OpenBackend = Callable[[], AbstractAsyncContextManager[Backend]]


async def run_window(open_backend: OpenBackend, clock: Clock, soon: timedelta) -> int:
    """Open the backend, show the window until it is closed, then close everything."""
    asyncio.get_running_loop().set_exception_handler(crash.loop_exception_handler)
    try:
        async with open_backend() as backend:
            window = MainWindow(backend, clock, soon)
            closed = asyncio.Event()
            window.closed.connect(closed.set)
            if sys.platform != "win32":
                # SIGTERM closes the window like the user would: work cancelled, server stopped.
                asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, window.close)
            window.show()
            window.start()
            await closed.wait()
            await window.shutdown()
    except DomainError as error:
        box = QMessageBox(QMessageBox.Icon.Critical, "Tessera cannot start", error.message)
        box.setObjectName("startup_error")
        await shown(box)
        return 1
    return 0


def main(open_backend: OpenBackend, clock: Clock, soon: timedelta) -> int:
    """Create the QApplication and run :func:`run_window` on a qasync loop."""
    QCoreApplication.setOrganizationName("Tessera")
    QCoreApplication.setApplicationName("Tessera")
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    # The loop ends when the coroutine does, after the database is closed, not when the
    # last window disappears.
    app.setQuitOnLastWindowClosed(False)
    crash.install()
    return int(qasync.run(run_window(open_backend, clock, soon)))
