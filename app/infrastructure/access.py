"""What the connected role may do, asked of PostgreSQL in one query at connect."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.access import Access, judge_access
from app.infrastructure.errors import translated

TABLES = ["users", "tokens", "events"]

# has_table_privilege(t, 'INSERT,UPDATE,DELETE') is true if *any* is held, so each
# privilege is asked on its own. A table not there (yet) is the schema check's business.
_QUERY = text(
    """
    SELECT current_user,
           pg_is_in_recovery(),
           current_setting('transaction_read_only') = 'on'
               OR current_setting('default_transaction_read_only') = 'on',
           ARRAY(
               SELECT name FROM unnest(CAST(:tables AS text[])) WITH ORDINALITY AS t(name, n)
               WHERE NOT coalesce(
                   has_table_privilege(to_regclass(name), 'INSERT')
                   AND has_table_privilege(to_regclass(name), 'UPDATE')
                   AND has_table_privilege(to_regclass(name), 'DELETE'),
                   true)
               ORDER BY n
           )
    """
)


async def check_access(sessions: async_sessionmaker[AsyncSession]) -> Access:
    """Whether the connected role may write every table, on a server that takes writes.

    Args:
        sessions: the database's session factory.

    Returns:
        Writable, or read-only with the reason for the window's banner.

    Raises:
        Unavailable: the database cannot be reached.
    """
    async with translated("database"), sessions() as session:
        try:
            row = (await session.execute(_QUERY, {"tables": TABLES})).one()
        finally:
            await session.rollback()
    role, standby, read_only, denied = tuple(row)
    return judge_access(str(role), bool(standby), bool(read_only), list(denied), TABLES)
