"""Async work started from Qt slots, tracked so it can be cancelled and its errors reported."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.domain.errors import DomainError

_log = logging.getLogger(__name__)

UNEXPECTED = "Something went wrong. The details were written to the log file."


class TaskRunner(QObject):
    """Starts coroutines on the running (qasync) loop and keeps hold of them.

    A domain error becomes ``failed(message)``; anything else is logged with its
    traceback and reported with a short sentence. Nothing reaches the user as a traceback.
    """

    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def busy(self) -> bool:
        """Whether any task is still running."""
        return bool(self._tasks)

    def spawn(self, work: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """Run ``work`` in the background; its failure is reported, never raised."""
        task = asyncio.get_running_loop().create_task(work, name=name)
        was_busy = self.busy
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        if not was_busy:
            self.busy_changed.emit(True)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not self._tasks:
            self.busy_changed.emit(False)
        if task.cancelled():
            return
        error = task.exception()
        if isinstance(error, DomainError):
            self.failed.emit(error.message)
        elif error is not None:
            _log.error("task %s failed", task.get_name(), exc_info=error)
            self.failed.emit(UNEXPECTED)

    async def cancel_all(self) -> None:
        """Cancel every running task and wait until they have all stopped."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
