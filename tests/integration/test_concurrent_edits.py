"""Two clients racing to edit the same users: every conflict is detected, no edit is lost.

Two engines (two independent connection pools, as two Tessera windows on two computers)
each read a user at version v and then both update it from v with different names, at
the same time. Optimistic locking must let exactly one of each pair through and give the
other :class:`Conflict`; at the end each row holds what the accepted changes imply.
Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.errors import Conflict
from app.domain.users import User, UserDraft, UserPatch
from app.infrastructure.engine import create_engine
from app.infrastructure.settings import Settings
from app.infrastructure.uow import SqlUnitOfWork
from app.services.users import UserService

ROWS = 5
ROUNDS = 100  # each round races both clients on every row: 2 * ROWS * ROUNDS edits
BUDGET_S = 25.0


@dataclass
class Ledger:
    """What the accepted changes imply for one row."""

    name: str
    version: int
    accepted: list[tuple[int, str]] = field(default_factory=list)  # (new version, name)


@dataclass
class Figures:
    tried: int = 0
    accepted: int = 0
    conflicts: int = 0


def _uow_factory(sessions: async_sessionmaker[AsyncSession]) -> Callable[[], SqlUnitOfWork]:
    """A client's own units of work, on its own engine (not the rolled-back fixture)."""
    return lambda: SqlUnitOfWork(sessions)


async def _race(
    clients: tuple[UserService, UserService], user_id: int, round_: int, figures: Figures
) -> tuple[User, int]:
    """Both clients read the user, then both update it from what they read."""
    seen = await asyncio.gather(*(client.get(user_id) for client in clients))

    async def edit(index: int) -> User | None:
        client, read = clients[index], seen[index]
        name = f"client {index} round {round_} row {user_id}"
        try:
            return await client.update(read.id, read.version, UserPatch(display_name=name))
        except Conflict:
            return None

    figures.tried += len(clients)
    results = await asyncio.gather(*(edit(i) for i in range(len(clients))))
    winners = [user for user in results if user is not None]
    figures.accepted += len(winners)
    figures.conflicts += len(results) - len(winners)
    # Both read the same version (nothing else writes between rounds): one wins, one loses.
    assert seen[0].version == seen[1].version
    assert len(winners) == 1, results
    return winners[0], seen[0].version


async def test_two_clients_lose_no_edit(database_url: URL, settings: Settings) -> None:
    engines = [create_engine(database_url, settings) for _ in range(2)]
    factories = [
        _uow_factory(async_sessionmaker(engine, expire_on_commit=False)) for engine in engines
    ]
    clients = (UserService(factories[0]), UserService(factories[1]))
    tag = uuid.uuid4().hex[:8]
    ids: list[int] = []
    started = time.perf_counter()
    try:
        for row in range(ROWS):
            user = await clients[0].create(
                UserDraft(email=f"race-{tag}-{row}@example.org", display_name=f"row {row}")
            )
            ids.append(user.id)
        ledgers = {user_id: Ledger(name=f"row {n}", version=1) for n, user_id in enumerate(ids)}
        figures = Figures()

        for round_ in range(ROUNDS):
            outcomes = await asyncio.gather(
                *(_race(clients, user_id, round_, figures) for user_id in ids)
            )
            for winner, read_version in outcomes:
                ledger = ledgers[winner.id]
                assert read_version == ledger.version
                assert winner.version == ledger.version + 1
                ledger.accepted.append((winner.version, winner.display_name))
                ledger.name, ledger.version = winner.display_name, winner.version

        lost = figures.tried - figures.accepted - figures.conflicts
        for check in (clients[1], clients[0]):  # both clients see the same final rows
            for user in await check.get_many(ids):
                ledger = ledgers[user.id]
                if (user.display_name, user.version) != (ledger.name, ledger.version):
                    lost += 1
                assert user.version == 1 + len(ledger.accepted)
        elapsed = time.perf_counter() - started
        print(
            f"\nconcurrent edits: tried={figures.tried} accepted={figures.accepted} "
            f"conflicts={figures.conflicts} lost={lost} in {elapsed:.1f}s"
        )
        assert figures.tried == 2 * ROWS * ROUNDS
        assert figures.accepted == ROWS * ROUNDS
        assert figures.conflicts == ROWS * ROUNDS
        assert lost == 0
        assert elapsed < BUDGET_S
    finally:
        async with engines[0].begin() as connection:
            await connection.execute(
                text("DELETE FROM users WHERE email LIKE :pattern"),
                {"pattern": f"race-{tag}-%@example.org"},
            )
        for engine in engines:
            await engine.dispose()
