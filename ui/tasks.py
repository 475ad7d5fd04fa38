"""Async work started from Qt slots, tracked so it can be cancelled and its errors reported."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.domain.acting import acting, current_action
from app.domain.errors import DomainError, Unavailable

_log = logging.getLogger(__name__)

UNEXPECTED = "Something went wrong. The details were written to the log file."


class TaskRunner(QObject):
    """Starts coroutines on the running (qasync) loop and keeps hold of them.

    A domain error becomes ``failed(message)``; a lost database also becomes
    ``unavailable(message)``, which the connection watcher listens to. Anything else is
    logged with its traceback and reported with a short sentence. Nothing reaches the user
    as a traceback.

    Reads (``spawn(..., read=True)``) only look at the database: the user may cancel them
    (:meth:`cancel_reads`) without anything being left half done. Interactive tasks
    (``interactive=True``) mostly wait for the user (a dialog is open): they count as
    ``busy`` but not as ``working``, so no progress bar spins behind a dialog.
    """

    failed = Signal(str)
    unavailable = Signal(str)
    busy_changed = Signal(bool)
    working_changed = Signal(bool)
    reading_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Told (action id, what it is called) when work that is one undoable action starts.
        self.expect: Callable[[str, str], None] | None = None
        # A runner made during an action (a dialog's, opened by "Edit user") runs its work
        # as part of it: a click on Save starts outside the action's context otherwise.
        self._within = current_action()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._reads: set[asyncio.Task[Any]] = set()
        self._interactive: set[asyncio.Task[Any]] = set()

    @property
    def busy(self) -> bool:
        """Whether any task is still running."""
        return bool(self._tasks)

    @property
    def working(self) -> bool:
        """Whether a task that is not waiting for the user is still running."""
        return len(self._tasks) > len(self._interactive)

    @property
    def reading(self) -> bool:
        """Whether a read is still running."""
        return bool(self._reads)

    def spawn(
        self,
        work: Coroutine[Any, Any, Any],
        name: str,
        *,
        read: bool = False,
        interactive: bool = False,
        action: str | None = None,
    ) -> asyncio.Task[Any]:
        """Run ``work`` in the background; its failure is reported, never raised.

        Args:
            work: the coroutine.
            name: the task's name, for the log.
            read: whether ``work`` only reads, so that cancelling it is always safe.
            interactive: whether ``work`` mostly waits for the user (runs a dialog).
            action: what the user would call ``work`` ("Delete 3 users"): its writes
                are one action, which ``expect`` hears of and Undo takes back at once.
        """
        if action is not None:
            work = self._acting(work, action)
        elif self._within is not None:
            work = self._inside(work, self._within)
        task = asyncio.get_running_loop().create_task(work, name=name)
        before = self._state()
        self._tasks.add(task)
        if read:
            self._reads.add(task)
        if interactive:
            self._interactive.add(task)
        task.add_done_callback(self._finished)
        self._announce(before)
        return task

    async def _acting(self, work: Coroutine[Any, Any, Any], label: str) -> Any:
        with acting() as ident:
            if self.expect is not None:
                self.expect(ident, label)
            return await work

    @staticmethod
    async def _inside(work: Coroutine[Any, Any, Any], action: str) -> Any:
        with acting(action):
            return await work

    def _state(self) -> tuple[bool, bool, bool]:
        return self.busy, self.working, self.reading

    def _announce(self, before: tuple[bool, bool, bool]) -> None:
        after = self._state()
        signals = (self.busy_changed, self.working_changed, self.reading_changed)
        for signal, was, now in zip(signals, before, after, strict=True):
            if was != now:
                signal.emit(now)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        before = self._state()
        for tasks in (self._tasks, self._reads, self._interactive):
            tasks.discard(task)
        self._announce(before)
        if task.cancelled():
            return
        error = task.exception()
        if isinstance(error, DomainError):
            self.failed.emit(error.message)
            if isinstance(error, Unavailable):
                self.unavailable.emit(error.message)
        elif error is not None:
            _log.error("task %s failed", task.get_name(), exc_info=error)
            self.failed.emit(UNEXPECTED)

    async def cancel_reads(self) -> int:
        """Cancel the running reads and wait until they have stopped; returns how many."""
        return await self._cancel(list(self._reads))

    async def cancel_all(self) -> None:
        """Cancel every running task and wait until they have all stopped."""
        await self._cancel(list(self._tasks))

    @staticmethod
    async def _cancel(tasks: list[asyncio.Task[Any]]) -> int:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return len(tasks)
