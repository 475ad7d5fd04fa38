"""In-memory implementations of the ports, with the semantics of the PostgreSQL adapters.

A :class:`FakeUnitOfWorkFactory` holds the committed rows. Each :class:`FakeUnitOfWork`
works on a copy taken when it starts and writes it back only on commit, so anything it did
before an exception is really gone. Ids come from per-table counters that, like sequences,
are not rolled back. Units are meant to run one after another: two open at once do not
see each other's locks, and the later commit wins.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

from app.domain.changes import Change
from app.domain.events import Event
from app.domain.ports import EventRepository, TokenRepository, UserRepository
from app.domain.tokens import Token
from app.domain.users import User
from tests.fake_changes import diff, notify
from tests.fake_repositories import FakeEventRepository, FakeTokenRepository, FakeUserRepository

__all__ = [
    "FakeEventRepository",
    "FakeTokenRepository",
    "FakeUnitOfWork",
    "FakeUnitOfWorkFactory",
    "FakeUserRepository",
    "Tables",
]


@dataclass
class Tables:
    users: dict[int, User] = field(default_factory=dict)
    tokens: dict[int, Token] = field(default_factory=dict)
    events: dict[int, Event] = field(default_factory=dict)

    def copy(self) -> Tables:
        # Rows are frozen models, so copying the dicts isolates a transaction.
        return Tables(dict(self.users), dict(self.tokens), dict(self.events))


class FakeUnitOfWork:
    """One transaction over the fake tables. Rolls back unless committed."""

    def __init__(self, db: FakeUnitOfWorkFactory, fail_commit: Exception | None = None) -> None:
        self.db = db
        self.tables = db.tables.copy()
        self.committed = False
        self._fail_commit = fail_commit
        # Typed as the ports: the protocol's attributes are mutable, hence invariant.
        self.users: UserRepository = FakeUserRepository(self)
        self.tokens: TokenRepository = FakeTokenRepository(self)
        self.events: EventRepository = FakeEventRepository(self)

    async def __aenter__(self) -> Self:
        self.tables = self.db.tables.copy()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    async def commit(self) -> None:
        if self._fail_commit is not None:
            raise self._fail_commit
        self.db.record(self.tables)
        self.db.tables = self.tables.copy()
        self.committed = True

    async def rollback(self) -> None:
        # After a commit this discards nothing: the copy equals what was committed.
        self.tables = self.db.tables.copy()


class FakeUnitOfWorkFactory:
    """The fake database: committed rows and sequences, and a maker of units of work.

    Set ``fail_commit`` to make every later commit raise it, as a lost connection would.
    """

    def __init__(self) -> None:
        self.tables = Tables()
        self.sequences: defaultdict[str, Iterator[int]] = defaultdict(lambda: itertools.count(1))
        self.units: list[FakeUnitOfWork] = []
        self.fail_commit: Exception | None = None
        self.changes: list[Change] = []  # the change log, as triggers would write it
        self.listeners: list[Callable[[], None]] = []  # woken after each logged commit

    def record(self, new: Tables) -> None:
        """Log what a commit changes (before it replaces the committed tables)."""
        found = diff(self.tables, new, datetime.now(UTC), len(self.changes) + 1)
        if found:
            self.changes.extend(found)
            notify(list(self.listeners))

    def __call__(self) -> FakeUnitOfWork:
        uow = FakeUnitOfWork(self, self.fail_commit)
        self.units.append(uow)
        return uow

    @property
    def last(self) -> FakeUnitOfWork:
        """The unit of work made most recently."""
        return self.units[-1]
