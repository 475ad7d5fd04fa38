"""The last line of defence: anything unexpected is logged to a file and told in one sentence."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import Any

import platformdirs
from PySide6.QtWidgets import QApplication, QMessageBox

_log = logging.getLogger("tessera.crash")


def log_path() -> Path:
    """Where Tessera writes its log (``~/.local/state/tessera/log/tessera.log`` on Linux)."""
    return platformdirs.user_log_path("tessera", appauthor=False) / "tessera.log"


class PrivateLogHandler(RotatingFileHandler):
    """A rotating log whose files only the user may read (0600): logs name hosts and users."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.chmod(self.baseFilename, 0o600)  # a log an older Tessera left with the umask's 0644
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


def configure_logging(path: Path | None = None) -> Path:
    """Send warnings and errors to a rotating log file; returns its path.

    The folder is made 0700 and the files 0600, like the configuration's.
    """
    path = path or log_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.parent.chmod(0o700)  # mkdir's mode does not apply to a folder that existed
    handler = PrivateLogHandler(path, maxBytes=2 << 20, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(min(root.level or logging.INFO, logging.INFO))
    return path


_open_boxes: list[QMessageBox] = []  # a parentless box lives only while referenced


def _tell(text: str) -> None:
    app = QApplication.instance()
    if app is None:
        return
    box = QMessageBox(QApplication.activeWindow())
    box.setObjectName("crash_dialog")
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Tessera")
    box.setText(text)
    box.setInformativeText(f"The details are in {log_path()}.")
    _open_boxes.append(box)
    box.finished.connect(lambda _: _open_boxes.remove(box))
    box.open()


def excepthook(
    kind: type[BaseException], error: BaseException, traceback: TracebackType | None
) -> None:
    """Log an uncaught exception with its traceback; show the user a short message."""
    _log.critical("uncaught exception", exc_info=(kind, error, traceback))
    _tell("Something unexpected happened. Tessera is still running; your saved work is safe.")


def loop_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The same for errors asyncio catches outside any awaited task."""
    error = context.get("exception")
    _log.critical("event loop: %s", context.get("message"), exc_info=error)
    _tell("Something unexpected happened in the background. Tessera is still running.")


def install() -> Path:
    """Route uncaught exceptions to the log file and a short dialog."""
    path = configure_logging()
    sys.excepthook = excepthook
    return path
