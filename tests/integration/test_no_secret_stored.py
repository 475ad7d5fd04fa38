"""No issued token secret is ever written to the database, in any table, in any form.

Fifty tokens are issued through :class:`TokenService` on real PostgreSQL; then every row
of every table is dumped as text and searched for each secret and for its random part
(what follows the stored prefix). Only the SHA-256 of each secret may be there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.tokens import IssuedToken, TokenRequest
from app.domain.users import UserDraft
from app.infrastructure.uow import SqlUnitOfWork
from app.services.token_secrets import MARK, hash_secret, verify_secret
from app.services.tokens import TokenService
from app.services.users import UserService
from tests.clock import FrozenClock

UowFactory = Callable[[], SqlUnitOfWork]
TABLES = ("users", "tokens", "events", "alembic_version")
TOKENS = 50


async def _dump(connection: AsyncConnection) -> str:
    """Every row of every table, as PostgreSQL prints it."""
    rows: list[str] = []
    for table in TABLES:
        result = await connection.execute(text(f"SELECT t::text FROM {table} t"))  # noqa: S608
        rows += [str(row) for row in result.scalars()]
    return "\n".join(rows)


async def test_no_secret_in_any_table(uow_factory: UowFactory, connection: AsyncConnection) -> None:
    clock = FrozenClock(datetime(2030, 3, 14, 9, 30, tzinfo=UTC))
    owner = await UserService(uow_factory, clock).create(
        UserDraft(email="secrets@example.org", display_name="Secrets")
    )
    service = TokenService(uow_factory, clock)
    issued: list[IssuedToken] = []
    for n in range(TOKENS):
        request = TokenRequest(
            owner_id=owner.id,
            name=f"token {n}",
            scopes=("read", "write") if n % 2 else (),
            expires_at=clock() + timedelta(days=1 + n),
        )
        issued.append(await service.issue(request))

    dump = await _dump(connection)
    assert dump.count(hash_secret(issued[0].secret)) == 1  # the dump really has the tokens
    assert len({one.secret for one in issued}) == TOKENS
    for one in issued:
        token, secret = one.token, one.secret
        assert secret.startswith(MARK)
        assert secret.startswith(token.prefix)
        random_part = secret[len(token.prefix) :]
        assert len(random_part) >= 32
        assert secret not in dump
        assert random_part not in dump
        assert secret[len(MARK) :] not in dump
        stored = await service.get(token.id)
        assert stored.secret_hash == hash_secret(secret)
        assert verify_secret(secret, stored.secret_hash)
        assert stored.secret_hash in dump
