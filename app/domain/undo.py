"""Taking an action back, from what the change log says it did.

An action (a save, a delete, a bulk revoke) may touch many rows, some more than once
(rotate revokes one token and issues another; deleting a user deletes its tokens and
events). Per row, only where it started and where it ended matter; the steps that
take it back are guarded by the version the action left, so that nothing someone else
changed since is overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from app.domain.changes import Change, Entity, Operation
from app.domain.errors import DomainError

# Kept by the database itself: never written back.
_MANAGED = frozenset({"id", "version", "updated_at"})
# Parents before children when rows come back, children before parents when they go.
_ORDER = {Entity.USER: 0, Entity.TOKEN: 1, Entity.EVENT: 1}


class StepKind(StrEnum):
    """What taking a row back means."""

    RESTORE = "restore"  # the action deleted it: insert it again, same id
    REWRITE = "rewrite"  # the action changed it: set the fields back
    REMOVE = "remove"  # the action created it: delete it


@dataclass(frozen=True, slots=True)
class Step:
    """One row taken back: guarded by the version the action left (None for a restore)."""

    kind: StepKind
    entity: Entity
    row_id: int
    version: int | None
    values: Mapping[str, Any]


class NothingToUndo(DomainError):
    """The action left no trace in the change log (pruned, or it wrote nothing)."""

    def __init__(self) -> None:
        super().__init__("There is nothing left to undo: the change log no longer holds it.")


class UndoConflict(DomainError):
    """Rows the action touched were changed (or deleted, or re-created) since.

    Attributes:
        steps: the refused steps: what taking each of those rows back would have written.
        rows: (entity, row id) of each refused step.
        what: the rows in words ("user #3, token #7 and 2 more").
    """

    def __init__(self, steps: Sequence[Step]) -> None:
        self.steps = tuple(steps)
        self.rows = tuple((step.entity, step.row_id) for step in self.steps)
        named = ", ".join(f"{entity.value} #{row_id}" for entity, row_id in self.rows[:5])
        more = f" and {len(self.rows) - 5} more" if len(self.rows) > 5 else ""
        self.what = named + more
        super().__init__(
            f"Not undone: someone changed {self.what} since. Nothing was written; "
            "open the record to compare and decide."
        )


class UndoLog(Protocol):
    """What an undo needs of the change log: an action's changes, and a guarded revert."""

    async def of_action(self, action: str) -> list[Change]:
        """Everything one window action wrote, cascades included, in log order."""
        ...

    async def revert(self, steps: Sequence[Step]) -> None:
        """Take rows back in one transaction, each step guarded; all or nothing.

        Raises:
            UndoConflict: rows changed, deleted or re-created since.
        """
        ...


def _step(changes: Sequence[Change]) -> Step | None:
    first, last = changes[0], changes[-1]
    entity, row_id = first.entity, first.row_id
    # The oldest value of every field the action changed.
    earlier: dict[str, Any] = {}
    for change in reversed(changes):
        if change.operation is Operation.UPDATE and change.before:
            earlier.update(change.before)
    existed = first.operation is not Operation.INSERT
    exists = last.operation is not Operation.DELETE
    if existed and exists:
        values = {k: v for k, v in earlier.items() if k not in _MANAGED}
        return Step(StepKind.REWRITE, entity, row_id, _version(last), values)
    if exists:  # created by the action
        return Step(StepKind.REMOVE, entity, row_id, _version(last), {})
    if existed:  # deleted by the action, perhaps after changing it
        row = {**(last.before or {}), **earlier}
        return Step(StepKind.RESTORE, entity, row_id, None, row)
    return None  # created and deleted again: nothing to take back


def _version(change: Change) -> int:
    return int((change.after or {})["version"])


def plan_undo(changes: Sequence[Change]) -> list[Step]:
    """The steps that take back ``changes`` (one action's, in log order).

    Raises:
        NothingToUndo: no changes.
    """
    if not changes:
        raise NothingToUndo()
    by_row: dict[tuple[Entity, int], list[Change]] = {}
    for change in sorted(changes, key=lambda c: c.id):
        by_row.setdefault((change.entity, change.row_id), []).append(change)
    steps = [s for s in map(_step, by_row.values()) if s is not None]

    def order(step: Step) -> tuple[int, int]:
        rank = _ORDER[step.entity]
        return (rank if step.kind is StepKind.RESTORE else -rank, step.row_id)

    return sorted(steps, key=order)


def state_before(current: Mapping[str, Any], later: Sequence[Change]) -> dict[str, Any]:
    """A row as it was before ``later`` (its changes since, in any order) were made."""
    state = dict(current)
    for change in sorted(later, key=lambda c: c.id, reverse=True):
        if change.operation is Operation.UPDATE and change.before:
            state.update(change.before)
    return state
