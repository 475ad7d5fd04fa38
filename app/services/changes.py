"""Following the change log: one reader per window, and the history kept for a while."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from app.domain.changes import ChangeBatch, ChangeCursor, ChangeLog, ChangeSignal
from app.domain.clock import Clock

READ_LIMIT = 2_000
"""Changes handed out per read; a view given a full batch reloads rather than patching."""
PRUNE_BATCH = 10_000
PRUNE_ROUNDS = 50
"""At most this many batches per prune, so that a first prune of a huge log stays short."""


class ChangeFeed:
    """Where one window is in the log, and what has been written since.

    ``start()`` places the reader at the log's end (what the window is about to load is
    already there); each ``read()`` hands out what came since and moves on. Nothing is
    lost between reads, however long the gap: the cursor, not a notification, decides.
    """

    def __init__(self, log: ChangeLog, signal: ChangeSignal, clock: Clock, keep: timedelta) -> None:
        self._log = log
        self._signal = signal
        self._clock = clock
        self._keep = keep
        self._cursor: ChangeCursor | None = None

    @property
    def started(self) -> bool:
        """Whether ``start()`` has placed the reader."""
        return self._cursor is not None

    async def start(self) -> None:
        """Read from now on."""
        self._cursor = await self._log.start()

    async def read(self, limit: int = READ_LIMIT) -> ChangeBatch:
        """What was written since the last read (started at the end if not yet started)."""
        if self._cursor is None:
            await self.start()
        assert self._cursor is not None
        batch = await self._log.read(self._cursor, limit)
        self._cursor = batch.cursor
        return batch

    async def listen(self, wake: Callable[[], None], lost: Callable[[], None]) -> bool:
        """Be woken when changes commit; False when the server cannot (poll instead)."""
        return await self._signal.listen(wake, lost)

    async def stop(self) -> None:
        """Stop listening."""
        await self._signal.close()

    async def prune(self) -> int:
        """Let history older than the kept period go, in bounded batches; how many went."""
        before = self._clock() - self._keep
        gone = 0
        for _ in range(PRUNE_ROUNDS):
            done = await self._log.prune(before, PRUNE_BATCH)
            gone += done
            if done < PRUNE_BATCH:
                break
        return gone
