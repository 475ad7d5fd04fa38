"""Live views: the window follows the change log and hands each batch of changes to its tabs.

A notification (LISTEN) only wakes the reader; what it reads comes from the log, from
where it last stopped, so a missed notification (sleep, a lost connection) costs nothing
but a moment. Where the server cannot notify (a pooler in transaction mode), the log is
read every two seconds instead, and the status bar says so once.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

from app.services.changes import ChangeFeed
from ui.tasks import TaskRunner

POLL_MS = 2_000
"""How often the log is read when no notification can wake the reader."""
SAFETY_MS = 30_000
"""How often it is read anyway while listening: a silently dead line cannot hide changes."""
NO_LISTEN = (
    "This database cannot announce changes as they happen; Tessera looks for them every 2 seconds."
)


class LiveUpdates(QObject):
    """Reads the change log when woken and announces what it found (``arrived``)."""

    arrived = Signal(object)  # a ChangeBatch with at least one change
    message = Signal(str)

    def __init__(self, feed: ChangeFeed, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._feed = feed
        self.tasks = TaskRunner(self)
        self.listening = False
        self._told = False
        self._reading = False
        self._again = False
        self._stopped = False
        self._timer = QTimer(self)
        self._timer.setObjectName("live_updates_timer")
        self._timer.timeout.connect(self.wake)

    async def start(self) -> None:
        """Listen (or poll), from the log's end unless the reader was placed already."""
        if not self._feed.started:
            await self._feed.start()
        await self._listen()
        self.wake()  # what came between placing the reader and listening

    async def resume(self) -> None:
        """After a reconnect: listen again and read what was missed meanwhile."""
        await self._listen()
        self.wake()

    async def stop(self) -> None:
        """Stop listening and reading; wake-ups after this do nothing."""
        self._stopped = True
        self._timer.stop()
        await self._feed.stop()
        await self.tasks.cancel_all()

    def wake(self) -> None:
        """Read the log soon; several wake-ups while a read runs make one more read."""
        if self._stopped:
            return
        if self._reading:
            self._again = True
            return
        self._reading = True
        self.tasks.spawn(self._read(), "read the change log", read=True)

    async def _listen(self) -> None:
        self.listening = await self._feed.listen(self.wake, self._line_lost)
        self._timer.start(SAFETY_MS if self.listening else POLL_MS)
        if not self.listening and not self._told:
            self._told = True
            self.message.emit(NO_LISTEN)

    def _line_lost(self) -> None:
        # Poll meanwhile and listen again at once: if the server itself is gone, that
        # fails as Unavailable and the connection watcher takes over (then resume()).
        # The line may die after the window was destroyed without stopping: then nothing.
        if self._stopped or not shiboken6.isValid(self._timer):
            return
        self.listening = False
        self._timer.start(POLL_MS)
        self.tasks.spawn(self.resume(), "listen again")

    async def _read(self) -> None:
        try:
            while True:
                self._again = False
                batch = await self._feed.read()
                if batch.changes:
                    self.arrived.emit(batch)
                if batch.complete and not self._again:
                    return
        finally:
            self._reading = False
