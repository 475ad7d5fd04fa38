"""Database roles made by a test on the test server, and dropped by it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

READ = (
    'GRANT CONNECT ON DATABASE "{database}" TO {role}',
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
)
WRITE = (*READ, "GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")


@asynccontextmanager
async def database_role(
    url: URL, grants: Sequence[str], kind: str = "reader", *settings: str
) -> AsyncIterator[URL]:
    """A new LOGIN role with ``grants`` on ``url``'s database; yields the URL that logs in as it.

    ``grants`` are statements with ``{role}`` and ``{database}`` placeholders (see READ and
    WRITE); ``settings`` are ``ALTER ROLE ... SET`` clauses ("default_transaction_read_only
    = on"). The test server trusts local connections, so the role needs no password. At
    the end: DROP OWNED BY (its privileges here and on the database) and DROP ROLE.
    """
    role = f"tessera_{kind}_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f"CREATE ROLE {role} LOGIN"))
            for grant in grants:
                await connection.execute(text(grant.format(role=role, database=url.database)))
            for setting in settings:
                await connection.execute(text(f"ALTER ROLE {role} SET {setting}"))
        yield url.set(username=role, password=None)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f"DROP OWNED BY {role}"))
            await connection.execute(text(f"DROP ROLE {role}"))
        await admin.dispose()
