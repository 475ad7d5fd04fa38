"""The unit of work: one session, one transaction, three repositories."""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Self

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.infrastructure.errors import translated
from app.infrastructure.repositories import (
    SqlEventRepository,
    SqlTokenRepository,
    SqlUserRepository,
)

_log = logging.getLogger(__name__)


class SqlUnitOfWork:
    """``async with uow: ...; await uow.commit()`` — anything not committed is rolled back.

    A new session per unit: short-lived, one per user action, never one for the
    app's life.

    What a read costs (the services open one unit per read): a pool checkout with no
    ping (see ``create_engine``), BEGIN sent lazily with the first SQLAlchemy statement,
    ROLLBACK and the checkin. A unit that only looks rows up by id sends no BEGIN and
    no ROLLBACK (see ``SqlRepository.find``). Writes keep their transaction: the first
    INSERT, UPDATE or DELETE goes through SQLAlchemy, which begins it.
    """

    users: SqlUserRepository
    tokens: SqlTokenRepository
    events: SqlEventRepository

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        self._session = self._session_factory()
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
