"""An in-memory change log for the fakes: each commit is diffed into changes, as triggers would.

:class:`FakeChangeLog` reads what :class:`tests.fakes.FakeUnitOfWorkFactory` recorded and
reverts by writing through a fake unit of work, so its own writes are logged too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from app.domain.acting import current_action
from app.domain.changes import (
    Change,
    ChangeBatch,
    ChangeCursor,
    ChangeFilter,
    ChangePage,
    Entity,
    Operation,
)
from app.domain.events import Event
from app.domain.tokens import Token
from app.domain.undo import Step, StepKind, UndoConflict
from app.domain.users import User

if TYPE_CHECKING:
    from tests.fakes import FakeUnitOfWorkFactory, Tables

MODELS: dict[Entity, type[BaseModel]] = {
    Entity.USER: User,
    Entity.TOKEN: Token,
    Entity.EVENT: Event,
}
TABLES = {Entity.USER: "users", Entity.TOKEN: "tokens", Entity.EVENT: "events"}


def _image(row: BaseModel) -> dict[str, Any]:
    return row.model_dump(mode="json")


def diff(old: Tables, new: Tables, at: datetime, first_id: int) -> list[Change]:
    """The changes a commit made, children after parents as PostgreSQL's cascades log them."""
    found: list[tuple[Entity, int, Operation, Any, Any, int | None]] = []
    for entity, name in TABLES.items():
        before: Mapping[int, BaseModel] = getattr(old, name)
        after: Mapping[int, BaseModel] = getattr(new, name)
        for ident in sorted(before.keys() | after.keys()):
            was, now = before.get(ident), after.get(ident)
            owner = getattr(now or was, "owner_id", None)
            if was is None and now is not None:
                found.append((entity, ident, Operation.INSERT, None, _image(now), owner))
            elif now is None and was is not None:
                found.append((entity, ident, Operation.DELETE, _image(was), None, owner))
            elif was is not None and now is not None and was != now:
                a, b = _image(was), _image(now)
                keys = [k for k in b if a.get(k) != b[k]]
                found.append((entity, ident, Operation.UPDATE, {k: a[k] for k in keys},
                              {k: b[k] for k in keys}, owner))  # fmt: skip
    action = current_action()
    return [
        Change(first_id + n, at, 1, "tester", "tessera", action, entity, ident, owner,
               operation, before_image, after_image)
        for n, (entity, ident, operation, before_image, after_image, owner) in enumerate(found)
    ]  # fmt: skip


class FakeChangeLog:
    """The ports of the change log (reading, undo, wake-ups) over the fake database."""

    def __init__(self, db: FakeUnitOfWorkFactory) -> None:
        self._db = db
        self.listening = True  # False: behave like a pooler that cannot LISTEN

    @property
    def changes(self) -> list[Change]:
        return self._db.changes

    async def start(self) -> ChangeCursor:
        return ChangeCursor(last_id=len(self.changes), horizon=0)

    async def read(self, cursor: ChangeCursor, limit: int) -> ChangeBatch:
        found = tuple(self.changes[cursor.last_id : cursor.last_id + limit])
        after = replace(cursor, last_id=cursor.last_id + len(found))
        return ChangeBatch(found, after, cursor.last_id + len(found) >= len(self.changes))

    async def prune(self, before: datetime, batch: int) -> int:
        return 0

    async def history(
        self, entity: Entity, row_id: int, older_than: int | None, limit: int
    ) -> ChangePage:
        def mine(c: Change) -> bool:
            own = c.entity is entity and c.row_id == row_id
            return own or (entity is Entity.USER and c.owner_id == row_id)

        return self._page(mine, older_than, limit)

    async def recent(self, filter: ChangeFilter, older_than: int | None, limit: int) -> ChangePage:
        def wanted(c: Change) -> bool:
            return (
                filter.actor in (None, "", c.actor)
                and filter.entity in (None, c.entity)
                and filter.operation in (None, c.operation)
                and (filter.since is None or c.changed_at >= filter.since)
                and (filter.until is None or c.changed_at < filter.until)
            )

        return self._page(wanted, older_than, limit)

    def _page(
        self, keep: Callable[[Change], bool], older_than: int | None, limit: int
    ) -> ChangePage:
        found = [c for c in reversed(self.changes) if keep(c)]
        if older_than is not None:
            found = [c for c in found if c.id < older_than]
        page = tuple(found[:limit])
        return ChangePage(page, page[-1].id if len(found) > limit else None)

    async def of_action(self, action: str) -> list[Change]:
        return [c for c in self.changes if c.action == action]

    async def revert(self, steps: Sequence[Step]) -> None:
        async with self._db() as uow:
            tables = uow.tables
            refused = [s for s in steps if not _apply(tables, s)]
            if refused:
                raise UndoConflict(refused)
            await uow.commit()

    async def listen(self, wake: Callable[[], None], lost: Callable[[], None]) -> bool:
        if not self.listening:
            return False
        self._db.listeners.append(wake)
        return True

    async def close(self) -> None:
        self._db.listeners.clear()


def _apply(tables: Tables, step: Step) -> bool:
    rows: dict[int, Any] = getattr(tables, TABLES[step.entity])
    model = MODELS[step.entity]
    current = rows.get(step.row_id)
    if step.kind is StepKind.RESTORE:
        if current is not None:
            return False
        rows[step.row_id] = model.model_validate(dict(step.values))
        return True
    if current is None or current.version != step.version:
        return False
    if step.kind is StepKind.REMOVE:
        del rows[step.row_id]
        return True
    values = {**_image(current), **step.values, "version": current.version + 1}
    rows[step.row_id] = model.model_validate(values)
    return True


def notify(listeners: Sequence[Callable[[], None]]) -> None:
    """Wake listeners after the commit, as NOTIFY does: on the loop, not inside the commit."""
    loop = asyncio.get_running_loop()
    for wake in listeners:
        loop.call_soon(wake)
