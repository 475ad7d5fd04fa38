"""The change log as the domain sees it: what changed, who changed it, and where a reader is.

The database writes the log (triggers, revision 0005) for every writer; views follow it
instead of trusting what they loaded. A notification only says "read the log": the
:class:`ChangeCursor` is what makes a reader miss nothing, even across a lost connection.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


class Entity(StrEnum):
    """The kinds of record the log follows."""

    USER = "user"
    TOKEN = "token"  # noqa: S105 - a kind of record, not a secret
    EVENT = "event"


class Operation(StrEnum):
    """What a statement did to a row."""

    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class Change:
    """One row written by one statement.

    ``before`` is the whole row for a delete and the changed fields' old values for an
    update; ``after`` the whole row for an insert and the changed fields' new values for
    an update. Values are as JSON holds them (times as ISO text).
    """

    id: int
    changed_at: datetime
    xid: int
    actor: str
    program: str
    action: str | None
    """The window action it was part of (``app.domain.acting``); None for other writers."""
    entity: Entity
    row_id: int
    owner_id: int | None
    operation: Operation
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class ChangeCursor:
    """Where a reader is in the log.

    Ids are handed out when a row is written, not when it commits, so a transaction that
    commits late can add rows below ids already read. The cursor therefore also keeps the
    oldest transaction still running when it last read (``horizon``): rows of that and
    later transactions are read again until they are settled, and ``seen`` holds the ids
    among them already handed out.
    """

    last_id: int
    horizon: int
    seen: frozenset[tuple[int, int]] = frozenset()
    """(id, transaction) of rows at or above the horizon already handed out."""

    def advanced(self, horizon: int, found: Sequence[Change]) -> ChangeCursor:
        """Where to read on from after ``found`` was read with the server at ``horizon``.

        Transactions below the new horizon have ended, and every row of theirs up to the
        last id read has been handed out (by this read or an earlier one): they leave
        ``seen``. Rows of later transactions stay there, so that a re-read skips them.
        """
        kept = {(i, x) for i, x in self.seen if x >= horizon}
        kept |= {(c.id, c.xid) for c in found if c.xid >= horizon}
        last = max([self.last_id, *(c.id for c in found)])
        return ChangeCursor(last_id=last, horizon=horizon, seen=frozenset(kept))


@dataclass(frozen=True, slots=True)
class ChangeBatch:
    """The changes a read found, in log order, and the cursor to read on from."""

    changes: tuple[Change, ...]
    cursor: ChangeCursor
    complete: bool = True
    """False when the read stopped at its limit: more changes are waiting."""

    def of(self, entity: Entity) -> tuple[Change, ...]:
        """The changes to one kind of record."""
        return tuple(c for c in self.changes if c.entity is entity)

    def row_ids(self, entity: Entity, *operations: Operation) -> set[int]:
        """Ids of the rows of ``entity`` that met any of ``operations`` (all when none)."""
        wanted = set(operations) or set(Operation)
        return {c.row_id for c in self.changes if c.entity is entity and c.operation in wanted}

    def owners(self, entity: Entity) -> set[int]:
        """The owners whose tokens or events changed."""
        return {c.owner_id for c in self.of(entity) if c.owner_id is not None}


@dataclass(frozen=True, slots=True)
class ChangeFilter:
    """Which changes the Recent changes view lists (every field optional)."""

    actor: str | None = None
    entity: Entity | None = None
    operation: Operation | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class ChangePage:
    """Changes newest first, and the id to read older ones before (None: no more)."""

    changes: tuple[Change, ...]
    older_than: int | None


class ChangeLog(Protocol):
    """The log as stored: read on from a cursor, and let old history go."""

    async def start(self) -> ChangeCursor:
        """A cursor at the log's present end: what is already there counts as read."""
        ...

    async def read(self, cursor: ChangeCursor, limit: int) -> ChangeBatch:
        """Changes after ``cursor``, at most ``limit`` of them."""
        ...

    async def prune(self, before: datetime, batch: int) -> int:
        """Delete up to ``batch`` changes older than ``before``; how many went."""
        ...

    async def history(
        self, entity: Entity, row_id: int, older_than: int | None, limit: int
    ) -> ChangePage:
        """One record's changes, newest first; a user's include its tokens' and events'."""
        ...

    async def recent(self, filter: ChangeFilter, older_than: int | None, limit: int) -> ChangePage:
        """The whole log, newest first, as filtered."""
        ...


class ChangeSignal(Protocol):
    """Wake-ups when the log grows (PostgreSQL's LISTEN/NOTIFY)."""

    async def listen(self, wake: Callable[[], None], lost: Callable[[], None]) -> bool:
        """Call ``wake`` at each commit that logged changes and ``lost`` if the line drops.

        Returns:
            False when the server cannot deliver notifications (a pooler in transaction
            mode): the reader then polls instead.
        """
        ...

    async def close(self) -> None:
        """Stop listening."""
        ...
