"""The unit of work: one session, one transaction, three repositories."""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Self

from sqlalchemy import CTE, Select, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session

from app.domain.acting import current_action
from app.infrastructure.errors import translated
from app.infrastructure.repositories import (
    SqlEventRepository,
    SqlTokenRepository,
    SqlUserRepository,
)

_log = logging.getLogger(__name__)

# Who and which action, for the change log's triggers (revision 0005); local to the
# transaction, so a pooler in transaction mode carries them as well as a plain server.
_TAG = text(
    "SELECT set_config('tessera.actor', :actor, true), set_config('tessera.action', :action, true)"
)
ACTOR_KEY, ACTION_KEY, _TAGGED = "tessera_actor", "tessera_action", "tessera_tagged"


def name_session(session: AsyncSession, actor: str | None) -> None:
    """Remember who writes through ``session`` and the action running now.

    Called in the caller's task: the statements themselves run in SQLAlchemy's greenlet,
    whose context does not see the caller's context variables.
    """
    session.info[ACTOR_KEY] = actor
    session.info[ACTION_KEY] = current_action()


def tag(session: Session) -> None:
    """Name the session's actor and the running action for this transaction's writes."""
    session.connection()  # begins the transaction, so that it can be told apart
    session.info[_TAGGED] = session.get_transaction()
    actor = session.info.get(ACTOR_KEY) or ""
    session.execute(_TAG, {"actor": actor, "action": session.info.get(ACTION_KEY) or ""})


def _writes(state: ORMExecuteState) -> bool:
    if state.is_insert or state.is_update or state.is_delete:
        return True
    # A SELECT over a data-modifying CTE (``WITH gone AS (DELETE … RETURNING …)``).
    statement = state.statement
    if not isinstance(statement, Select):
        return False
    return any(isinstance(f, CTE) and f.element.is_dml for f in statement.get_final_froms())


def _tag_writes(state: ORMExecuteState) -> None:
    # Once per transaction, before its first write: reads pay nothing.
    if not _writes(state):
        return
    session: Session = state.session
    transaction = session.get_transaction()
    if transaction is None or session.info.get(_TAGGED) is not transaction:
        tag(session)


# Every session of the process: a write through any of them is logged with its action.
event.listen(Session, "do_orm_execute", _tag_writes)


class SqlUnitOfWork:
    """``async with uow: ...; await uow.commit()`` — anything not committed is rolled back.

    A new session per unit: short-lived, one per user action, never one for the
    app's life. Its writes are logged as ``actor``'s (the database role's when None),
    as part of the action running (``app.domain.acting``).

    What a read costs (the services open one unit per read): a pool checkout with no
    ping (see ``create_engine``), BEGIN sent lazily with the first SQLAlchemy statement,
    ROLLBACK and the checkin. A unit that only looks rows up by id sends no BEGIN and
    no ROLLBACK (see ``SqlRepository.find``). Writes keep their transaction: the first
    INSERT, UPDATE or DELETE goes through SQLAlchemy, which begins it.
    """

    users: SqlUserRepository
    tokens: SqlTokenRepository
    events: SqlEventRepository

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], actor: str | None = None
    ) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None
        self._actor = actor

    async def __aenter__(self) -> Self:
        self._session = self._session_factory()
        name_session(self._session, self._actor)
        self.users = SqlUserRepository(self._session)
        self.tokens = SqlTokenRepository(self._session)
        self.events = SqlEventRepository(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        try:
            await session.rollback()
        except (SQLAlchemyError, OSError):
            # A dead connection cannot roll back; the server already discarded the work.
            _log.debug("rollback on a broken connection skipped")
        finally:
            await session.close()

    def _active(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside 'async with'")
        return self._session

    async def commit(self) -> None:
        """Commit the transaction (constraint errors arrive as domain errors)."""
        async with translated("record"):
            await self._active().commit()

    async def rollback(self) -> None:
        """Roll the transaction back."""
        await self._active().rollback()
