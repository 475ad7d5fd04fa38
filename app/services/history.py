"""History and undo: what was done to a record, by whom, and taking a window's action back."""

from __future__ import annotations

from app.domain.acting import acting
from app.domain.changes import ChangeFilter, ChangeLog, ChangePage, Entity
from app.domain.undo import UndoLog, plan_undo

PAGE = 200


class HistoryService:
    """Reads the change log for people, and undoes actions from it.

    An undo is itself an action: its id is returned, and undoing that id redoes the
    original (the log holds what the undo wrote, like any other write).
    """

    def __init__(self, log: ChangeLog, undo_log: UndoLog) -> None:
        self._log = log
        self._undo_log = undo_log

    async def history(
        self, entity: Entity, row_id: int, older_than: int | None = None, limit: int = PAGE
    ) -> ChangePage:
        """A record's changes, newest first; a user's include its tokens and events."""
        return await self._log.history(entity, row_id, older_than, limit)

    async def recent(
        self, filter: ChangeFilter, older_than: int | None = None, limit: int = PAGE
    ) -> ChangePage:
        """Every change in the database, newest first, as filtered."""
        return await self._log.recent(filter, older_than, limit)

    async def undo(self, action: str) -> str:
        """Take back everything ``action`` wrote; the id of the undo (undo it to redo).

        Raises:
            NothingToUndo: the log holds nothing of the action (pruned, or nothing written).
            UndoConflict: someone changed those rows since; nothing was written.
        """
        steps = plan_undo(await self._undo_log.of_action(action))
        with acting() as undo:
            await self._undo_log.revert(steps)
        return undo
