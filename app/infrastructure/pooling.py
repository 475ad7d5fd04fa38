"""Connection poolers in front of PostgreSQL (PgBouncer, managed services' proxies).

A pooler changes three things a plain server guarantees, and Tessera finds out which at
the first connection to a server, with nothing for the user to set:

- **Settings at connect.** PgBouncer refuses startup parameters it does not know
  (``unsupported startup parameter: statement_timeout``). Then the statement timeout is
  set per transaction instead, in the same round trip as BEGIN.
- **Per-transaction pooling.** In transaction mode a client's statements may run on a
  different server connection after every transaction: named prepared statements meet
  other clients' (``prepared statement "__asyncpg_stmt_1__" already exists``) or vanish,
  and LISTEN hears nothing. Then statements are not cached (SQLAlchemy's and asyncpg's
  caches off), every name asyncpg gives a statement is unique (COPY names one even with
  the cache off: asyncpg #1219), and the change log is read by polling.
- Whether it is per-transaction is seen, not guessed: a plain server (or a session-mode
  pooler) gives a client the same backend for its whole life, so one client's backend
  changing, or being handed to another client, proves a transaction-mode pooler.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import asyncpg

_log = logging.getLogger(__name__)

_PID = "SELECT pg_backend_pid()"


@dataclass(frozen=True, slots=True)
class Pooling:
    """What the server (or what stands in front of it) accepts.

    Attributes:
        startup_settings: settings may be sent at connect (a pooler may refuse them).
        per_transaction: server connections are handed out per transaction.
    """

    startup_settings: bool = True
    per_transaction: bool = False

    @property
    def pooled(self) -> bool:
        """Whether a pooler stands in front of the server."""
        return not self.startup_settings or self.per_transaction

    @property
    def can_listen(self) -> bool:
        """Whether LISTEN on a connection hears NOTIFY (not through a transaction pooler)."""
        return not self.per_transaction


DIRECT = Pooling()
_found: dict[tuple[Any, ...], Pooling] = {}


def _key(params: dict[str, Any]) -> tuple[Any, ...]:
    host = params.get("host")
    hosts = tuple(host) if isinstance(host, list) else host
    port = params.get("port")
    ports = tuple(port) if isinstance(port, list) else port
    return (hosts, ports)  # a pooler's mode is its own, whichever database it leads to


def known(params: dict[str, Any]) -> Pooling | None:
    """What was found for the server these connect parameters name (None: not yet)."""
    return _found.get(_key(params))


def _refused_settings(error: BaseException) -> bool:
    return isinstance(error, asyncpg.ProtocolViolationError) and "startup parameter" in str(error)


async def detect(params: dict[str, Any]) -> Pooling:
    """Find out, with two short connections, what stands in front of the server.

    ``params`` are asyncpg's connect arguments (``server_settings`` included). Errors
    that mean the server cannot be reached are raised as from a plain connect.
    """
    plain = {**params, "statement_cache_size": 0}
    settings = dict(params.get("server_settings") or {})
    try:
        first = await asyncpg.connect(**plain)
        startup_settings = True
    except asyncpg.ProtocolViolationError as error:
        if not _refused_settings(error):
            raise
        startup_settings = False
        plain["server_settings"] = {k: v for k, v in settings.items() if k == "application_name"}
        first = await asyncpg.connect(**plain)
    try:
        per_transaction = await _per_transaction(first, plain)
    finally:
        with contextlib.suppress(Exception):
            await first.close()
    found = Pooling(startup_settings, per_transaction)
    _found[_key(params)] = found
    if found.pooled:
        _log.info("a connection pooler stands in front of the server: %s", found)
    return found


async def _per_transaction(first: asyncpg.Connection, params: dict[str, Any]) -> bool:
    """Whether backends move between clients: ``first``'s is handed to another, or changes."""
    second = await asyncpg.connect(**params)
    try:
        before = await first.fetchval(_PID)
        async with second.transaction():
            other = await second.fetchval(_PID)  # held by ``second`` until the block ends
            after = await first.fetchval(_PID)
        return bool(other == before or after != before)
    finally:
        with contextlib.suppress(Exception):
            await second.close()


def connect_parameters(pooling: Pooling, params: dict[str, Any], timeout_ms: int) -> None:
    """Adjust SQLAlchemy's asyncpg connect parameters (in place) to ``pooling``."""
    settings = dict(params.get("server_settings") or {})
    local_timeout = 0
    if not pooling.startup_settings:
        settings.pop("statement_timeout", None)
        local_timeout = timeout_ms
    params["server_settings"] = settings
    if pooling.per_transaction:
        params["statement_cache_size"] = 0
        params["prepared_statement_cache_size"] = 0
        params["prepared_statement_name_func"] = _unique_name
    if pooling.pooled:
        params["connection_class"] = _connection_class(local_timeout)


def _unique_name() -> str:
    return f"__asyncpg_{uuid4().hex}__"


class PooledConnection(asyncpg.Connection):  # type: ignore[misc]  # asyncpg has no stubs
    """An asyncpg connection whose statement names are unique among all clients.

    With ``statement_timeout_ms`` set, every BEGIN also sets the statement timeout for its
    transaction (one simple query, so no extra round trip).
    """

    statement_timeout_ms = 0

    def _get_unique_id(self, prefix: str) -> str:
        return f"__asyncpg_{prefix}_{uuid4().hex}__"

    async def execute(self, query: str, *args: Any, **options: Any) -> str:
        if self.statement_timeout_ms and not args and query.startswith("BEGIN"):
            query = f"{query} SET LOCAL statement_timeout = {int(self.statement_timeout_ms)};"
        return str(await super().execute(query, *args, **options))


_classes: dict[int, type[PooledConnection]] = {0: PooledConnection}


def _connection_class(timeout_ms: int) -> type[PooledConnection]:
    if timeout_ms not in _classes:
        _classes[timeout_ms] = type(
            f"PooledConnection{timeout_ms}",
            (PooledConnection,),
            {"statement_timeout_ms": timeout_ms},
        )
    return _classes[timeout_ms]
