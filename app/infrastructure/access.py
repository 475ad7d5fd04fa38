"""What the connected role may do, asked of PostgreSQL in one query at connect."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.access import TABLES as TABLE_NAMES
from app.domain.access import Access, Privilege, judge_access
from app.infrastructure.errors import translated

TABLES = list(TABLE_NAMES.values())

# has_table_privilege(t, 'INSERT,UPDATE,DELETE') is true if *any* is held, so each
# privilege is asked on its own. A table not there (yet) is the schema check's business.
_HOLDING = """
    ARRAY(SELECT name FROM unnest(CAST(:tables AS text[])) WITH ORDINALITY AS t(name, n)
          WHERE coalesce(has_table_privilege(to_regclass(name), '{privilege}'), true)
          ORDER BY n)
"""
_QUERY = text(
    "SELECT current_user, pg_is_in_recovery(), "
    "current_setting('transaction_read_only') = 'on' "
    "OR current_setting('default_transaction_read_only') = 'on', "
    + ", ".join(_HOLDING.format(privilege=p.name) for p in Privilege)
)


async def check_access(sessions: async_sessionmaker[AsyncSession]) -> Access:
    """What the connected role may write in each table, on a server that takes writes.

    Args:
        sessions: the database's session factory.

    Returns:
        Writable, or what may still be written with the words for the window's banner.

    Raises:
        Unavailable: the database cannot be reached.
    """
    async with translated("database"), sessions() as session:
        try:
            row = (await session.execute(_QUERY, {"tables": TABLES})).one()
        finally:
            await session.rollback()
    role, standby, read_only, *holding = tuple(row)
    held = {
        t: [p for p, tables in zip(Privilege, holding, strict=True) if t in tables] for t in TABLES
    }
    return judge_access(str(role), bool(standby), bool(read_only), held, TABLES)
