"""Alembic environment, async, usable from the shell and from inside a running loop.

From the shell (``alembic upgrade head``) it connects to ``TESSERA_DATABASE_URL``. The
app hands in a synchronous connection (from ``AsyncConnection.run_sync``) through
``config.attributes["connection"]``, so no second event loop is started — which
``asyncio.run`` inside a qasync loop would refuse.
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from app.infrastructure.settings import Settings, async_url
from app.infrastructure.tables import metadata

config = context.config
if config.config_file_name is not None and "connection" not in config.attributes:
    # From the shell only: the app configures its own logging.
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=metadata,
        compare_type=True,
        compare_server_default=True,
        on_version_apply=config.attributes.get("on_version_apply"),
        **kwargs,
    )


def _run(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        # Index builds on big tables may outlast the app's statement timeout.
        context.execute("SET LOCAL statement_timeout = 0")
        context.run_migrations()


def _url() -> str:
    configured = config.get_main_option("sqlalchemy.url")
    if configured:
        return configured
    secret = Settings().database_url
    if secret is None:
        raise SystemExit(
            "Set TESSERA_DATABASE_URL (for example postgresql://postgres@127.0.0.1:5432/tessera) "
            "to run Alembic from the shell."
        )
    return async_url(secret.get_secret_value()).render_as_string(hide_password=False)


async def _run_async() -> None:
    engine = create_async_engine(_url(), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


def run_offline() -> None:
    """Emit SQL instead of running it (``alembic upgrade head --sql``)."""
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run against a handed-in connection, or connect from the shell."""
    handed_in = config.attributes.get("connection")
    if handed_in is not None:
        _run(handed_in)
    else:
        asyncio.run(_run_async())


if context.is_offline_mode():
    run_offline()
else:
    run_online()
