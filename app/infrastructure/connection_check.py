"""Checking a target, creating its database and migrating it: the wizard's back end.

Connections are first made with plain asyncpg, so each failure keeps its own exception
class and becomes a :class:`SetupError` a person can act on. Schema questions go through
:class:`MigrationRunner` on a short-lived engine. No message ever carries the password.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import asyncpg
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.domain.connection_check import MIN_SERVER_MAJOR, CheckReport, Problem, SetupError, Target
from app.domain.schema import Revision, SchemaState
from app.infrastructure.embedded import EmbeddedServerError
from app.infrastructure.local_server import LocalServer
from app.infrastructure.migrations import MigrationRunner
from app.infrastructure.reach import Endpoint, connected, first_line
from app.infrastructure.settings import Settings, async_url, ssl_connect_args

_LOG = logging.getLogger(__name__)
_SSL_MODES = ("disable", "prefer", "require", "verify-ca", "verify-full")
_SERVER_SETTINGS = {"application_name": "tessera"}  # for the schema engine
# Tables need CREATE on the public schema (owners and superusers have it); the first
# migration also creates the trusted extension pg_trgm, which needs CREATE on the database.
_PRIVILEGES = """
SELECT r.rolsuper OR r.rolcreatedb,
       r.rolsuper OR (coalesce(has_schema_privilege(n.oid, 'CREATE'), false)
                      AND (has_database_privilege(current_database(), 'CREATE')
                           OR EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_trgm')))
FROM pg_roles r LEFT JOIN pg_namespace n ON n.nspname = 'public'
WHERE r.rolname = current_user
"""


def target_url(target: Target) -> URL:
    """The asyncpg URL of a server target, password included: never log it.

    Raises:
        ValueError: for the local target, whose URL exists once its server runs
            (:meth:`SqlDatabaseSetup.url` starts it).
    """
    if target.kind == "local":
        raise ValueError("The local database's URL is known once its server runs.")
    query: dict[str, str] = {
        "ssl": target.ssl_mode
    }  # asyncpg's ``ssl`` takes libpq's sslmode names
    if target.ssl_root_cert:
        query["sslrootcert"] = target.ssl_root_cert  # made an SSLContext by ssl_connect_args
    host: str | None = target.host
    if target.host.startswith("/"):
        # A unix socket folder: it travels in the query, where a URL can carry slashes.
        query, host = {"host": target.host}, None
    return URL.create(
        "postgresql+asyncpg",
        username=target.user,
        password=target.password.get_secret_value() if target.password else None,
        host=host,
        port=target.port,
        database=target.database,
        query=query,
    )


def target_from_url(url: str) -> Target:
    """A server target from a pasted ``postgresql://user:pw@host:5432/db?sslmode=require``.

    Raises:
        ValueError: with a readable reason, for anything but a usable PostgreSQL URL.
    """
    parsed = async_url(url)
    host = parsed.host or parsed.query.get("host")
    if not isinstance(host, str) or not host:
        raise ValueError("The URL names no host.")
    ssl_mode = parsed.query.get("ssl") or "prefer"  # async_url made libpq's sslmode this
    if ssl_mode not in _SSL_MODES:
        raise ValueError(f"Unknown sslmode “{ssl_mode}”; use one of {', '.join(_SSL_MODES)}.")
    fields = {"host": host, "port": parsed.port or 5432, "database": parsed.database or "tessera"}
    fields |= {"user": parsed.username or "postgres", "password": parsed.password}
    fields |= {"ssl_root_cert": parsed.query.get("sslrootcert") or ""}
    return Target.model_validate({"kind": "server", "ssl_mode": ssl_mode, **fields})


def target_near_url(url: str) -> Target:
    """What a URL that cannot be used still tells of its server: a form's first values.

    Whatever cannot be read (a bad port, an unknown sslmode) keeps its default.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        try:
            parts, port = urlsplit(url.strip().replace("[", "", 1)), None
        except ValueError:
            return Target(kind="server")
    if not parts.netloc:
        return Target(kind="server")
    fields: dict[str, object] = {"host": parts.hostname or ""}
    if port is not None and 1 <= port <= 65535:
        fields["port"] = port
    if database := unquote(parts.path.lstrip("/")):
        fields["database"] = database
    if parts.username:
        fields["user"] = unquote(parts.username)
    if parts.password:
        fields["password"] = unquote(parts.password)
    query = parse_qs(parts.query)
    if (mode := query.get("sslmode", query.get("ssl", [""]))[-1]) in _SSL_MODES:
        fields["ssl_mode"] = mode
    fields["ssl_root_cert"] = query.get("sslrootcert", [""])[-1]
    return Target.model_validate({"kind": "server", **fields})


def check_version(text: str) -> int:
    """The major version in ``SHOW server_version``, for servers Tessera can use.

    Raises:
        SetupError: SERVER_TOO_OLD below :data:`MIN_SERVER_MAJOR`; OTHER if unreadable.
    """
    number = text.split(" ", 1)[0]
    if (match := re.match(r"\d+", number)) is None:
        raise SetupError(Problem.OTHER, f"The server reports an unknown version “{text}”.")
    if (major := int(match.group())) < MIN_SERVER_MAJOR:
        raise SetupError(
            Problem.SERVER_TOO_OLD,
            f"The server runs PostgreSQL {number}; Tessera needs {MIN_SERVER_MAJOR} or newer.",
        )
    return major


class SqlDatabaseSetup:
    """:class:`app.domain.connection_check.DatabaseSetup` on PostgreSQL, embedded or on a server."""

    def __init__(self, settings: Settings, local_server: LocalServer | None = None) -> None:
        """Nothing starts before a local target is first used.

        Args:
            settings: timeouts, and the data folder of the local database.
            local_server: the launch's local server, shared with the window so that a
                launch starts it once; by default one of this object's own.
        """
        self._settings = settings
        self._local = local_server or LocalServer(settings.data_dir)

    async def url(self, target: Target) -> URL:
        """The target's URL; for the local target, starts its server (kept until close)."""
        if target.kind != "local":
            return target_url(target)
        try:
            return await self._local.url()
        except EmbeddedServerError as exc:
            _LOG.warning("The local database did not start: %s", exc)
            raise SetupError(
                Problem.LOCAL_SERVER,
                f"The local database could not start. {first_line(exc)}.",
            ) from None

    async def check(self, target: Target) -> CheckReport:
        """Connect and report; raises SetupError with the reason when it cannot."""
        url, exists = await self.url(target), True
        try:
            async with self._connect(target, url) as connection:
                version, may_create_database, may_create_tables = await _probe(connection)
        except SetupError as error:
            if error.problem is not Problem.DATABASE_MISSING:
                raise
            # Ask the maintenance database instead; whoever creates the database owns it.
            async with self._connect(target, url, "postgres") as connection:
                version, may_create_database, _ = await _probe(connection)
            exists, may_create_tables = False, may_create_database
        engine = self._engine(url)
        try:
            runner = MigrationRunner(engine)
            current, state, pending = None, SchemaState.EMPTY, runner.revisions()
            if exists:
                current, state = await runner.current(), await runner.state()
                pending = await runner.pending()
        except Exception as exc:
            raise _failed("Reading the schema", exc) from None
        finally:
            await engine.dispose()
        return CheckReport(
            label=target.label,
            server_version=version,
            database_exists=exists,
            can_create_database=may_create_database,
            can_create_tables=may_create_tables,
            state=state,
            current=current,
            head=runner.head(),
            pending=pending,
        )

    async def create_database(self, target: Target) -> None:
        """Create the target's database, owned by its role; an existing one is left alone."""
        name = target.database
        if not name or "\x00" in name or len(name.encode()) > 63:
            raise SetupError(Problem.OTHER, "A database name has 1 to 63 bytes.")
        async with self._connect(target, await self.url(target), "postgres") as connection:
            try:
                quoted = '"' + name.replace('"', '""') + '"'
                await connection.execute(f"CREATE DATABASE {quoted}")
            except asyncpg.DuplicateDatabaseError:
                _LOG.info("The database %s exists already", name)
            except asyncpg.InsufficientPrivilegeError:
                raise SetupError(
                    Problem.PERMISSION_DENIED,
                    f"User “{target.user}” may not create databases. Ask the server's "
                    f"administrator to create “{name}” for you, or to grant CREATEDB.",
                ) from None

    async def migrate(self, target: Target, progress: Callable[[Revision], None]) -> None:
        """Apply pending migrations in one transaction; a failure changes nothing."""
        url = await self.url(target)
        async with self._connect(target, url):
            pass  # a plain connection first: a precise reason if the server is not there
        engine = self._engine(url)
        applied: list[Revision] = []

        def report(revision: Revision) -> None:
            applied.append(revision)
            progress(revision)

        try:
            runner = MigrationRunner(engine)
            try:
                pending = await runner.pending()
            except Exception as exc:
                raise _failed("Reading the schema", exc) from None
            try:
                await runner.upgrade(progress=report)
            except Exception as exc:
                # The runner applies every revision in one transaction: the one after the
                # last reported is the one that failed, and nothing of any is left.
                step = pending[len(applied)] if len(applied) < len(pending) else None
                what = f"Migration {step.id} (“{step.title.rstrip('.')}”)" if step else "Commit"
                _LOG.warning("%s failed", what, exc_info=exc)
                raise _failed(what, exc, Problem.MIGRATION_FAILED) from None
        finally:
            await engine.dispose()

    async def close(self) -> None:
        """Stop the local server if it was started (by a check or for the window)."""
        try:
            await self._local.stop()
        except EmbeddedServerError as exc:
            raise SetupError(Problem.LOCAL_SERVER, f"{first_line(exc)}.") from None

    @asynccontextmanager
    async def _connect(
        self, target: Target, url: URL, database: str | None = None
    ) -> AsyncIterator[Any]:
        """A plain asyncpg connection to the target's (or another) database."""
        where = "the local database" if target.kind == "local" else None
        endpoint = Endpoint.of(url, self._settings.connect_timeout_s, where)
        async with connected(url, endpoint, database) as connection:
            yield connection

    def _engine(self, url: URL) -> AsyncEngine:
        url, ssl_args = ssl_connect_args(url)
        timeout = self._settings.connect_timeout_s
        connect_args = {"timeout": timeout, "server_settings": _SERVER_SETTINGS, **ssl_args}
        return create_async_engine(url, pool_size=1, connect_args=connect_args)


async def _probe(connection: Any) -> tuple[str, bool, bool]:
    """The server's version (refused if too old), and what the role may create."""
    version = str(await connection.fetchval("SHOW server_version"))
    check_version(version)
    row = await connection.fetchrow(_PRIVILEGES)
    return version, bool(row[0]), bool(row[1])


def _failed(what: str, exc: BaseException, problem: Problem = Problem.OTHER) -> SetupError:
    """``what`` failed, with the database's own reason.

    SQLAlchemy wraps asyncpg's error, and errors.translated() may have replaced that by a
    domain error: the database's message is the first asyncpg error down the chain.
    """
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in chain:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    cause = next((e for e in chain if isinstance(e, asyncpg.PostgresError)), exc)
    reason = first_line(cause) or type(cause).__name__
    if problem is Problem.MIGRATION_FAILED:
        return SetupError(problem, f"{what} failed: {reason}. The database was left as it was.")
    return SetupError(problem, f"{what} failed: {reason}.")
