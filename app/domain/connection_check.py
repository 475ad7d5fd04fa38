"""Connecting Tessera to a database: where the data lives, what a check found, what went wrong.

The first-run wizard and the start-up check speak these types; the infrastructure
implements :class:`DatabaseSetup`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from app.domain.errors import DomainError
from app.domain.schema import Revision, SchemaState

MIN_SERVER_MAJOR = 15
SslMode = Literal["disable", "prefer", "require", "verify-ca", "verify-full"]


class Target(BaseModel):
    """Where the data lives: the embedded server ("local") or a PostgreSQL server.

    The password is a secret: never in ``repr``, never written to a profile file.
    """

    model_config = ConfigDict(frozen=True)

    kind: Literal["local", "server"] = "local"
    host: str = ""
    port: int = Field(default=5432, ge=1, le=65535)
    database: str = "tessera"
    user: str = "postgres"
    password: SecretStr | None = None
    ssl_mode: SslMode = "prefer"
    # The CA certificate (a PEM file) that signed the server's, for verify-ca and verify-full.
    ssl_root_cert: str = ""

    @property
    def label(self) -> str:
        """ "Local database" or ``user@host:port/db``."""
        if self.kind == "local":
            return "Local database"
        return f"{self.user}@{self.host}:{self.port}/{self.database}"


class Problem(enum.Enum):
    """Why a connection failed, each with its own advice."""

    WRONG_PASSWORD = "wrong_password"  # noqa: S105 - the name of a problem, not a password
    HOST_NOT_FOUND = "host_not_found"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    DATABASE_MISSING = "database_missing"
    PERMISSION_DENIED = "permission_denied"
    SERVER_TOO_OLD = "server_too_old"
    MIGRATION_FAILED = "migration_failed"
    LOCAL_SERVER = "local_server"
    SSL_REQUIRED = "ssl_required"  # the server takes only encrypted connections
    SSL_UNAVAILABLE = "ssl_unavailable"  # SSL was demanded but the server offers none
    CERTIFICATE_UNTRUSTED = "certificate_untrusted"  # no CA, or not signed by the CA given
    CERTIFICATE_MISMATCH = "certificate_mismatch"  # the certificate names another host
    UNKNOWN_USER = "unknown_user"  # the server has no role of that name
    INVALID_URL = "invalid_url"  # the configured URL cannot be read or names no PostgreSQL
    OTHER = "other"

    @property
    def is_configuration(self) -> bool:
        """Whether the connection's settings (or the server's) must change before it works.

        Retrying cannot help these; a refused, silent or failing server may come back.
        """
        return self in _CONFIGURATION


_CONFIGURATION = frozenset(
    {
        Problem.WRONG_PASSWORD,
        Problem.HOST_NOT_FOUND,
        Problem.DATABASE_MISSING,
        Problem.PERMISSION_DENIED,
        Problem.SERVER_TOO_OLD,
        Problem.SSL_REQUIRED,
        Problem.SSL_UNAVAILABLE,
        Problem.CERTIFICATE_UNTRUSTED,
        Problem.CERTIFICATE_MISMATCH,
        Problem.UNKNOWN_USER,
        Problem.INVALID_URL,
    }
)


class SetupError(DomainError):
    """A connection, check or migration failed; ``problem`` says which way.

    ``target`` is the connection as far as it could be read, when the error is about the
    configuration itself (a URL that cannot be used): what a form can be filled with.
    """

    def __init__(self, problem: Problem, message: str, target: Target | None = None) -> None:
        super().__init__(message)
        self.problem = problem
        self.target = target


@dataclass(frozen=True)
class CheckReport:
    """What a check of a target found."""

    label: str
    server_version: str
    database_exists: bool
    can_create_database: bool
    can_create_tables: bool
    state: SchemaState
    current: str | None
    head: str
    pending: list[Revision] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """Whether Tessera can go on to apply migrations (or open the window)."""
        if not self.database_exists:
            return False
        if self.state is SchemaState.AHEAD:
            return False
        return self.state is SchemaState.CURRENT or self.can_create_tables


class DatabaseSetup(Protocol):
    """Checks a target, creates its database, applies migrations."""

    async def check(self, target: Target) -> CheckReport:
        """Connect and report; raises SetupError with the reason when it cannot."""
        ...

    async def create_database(self, target: Target) -> None:
        """Create the target's database (the role must be allowed to)."""
        ...

    async def migrate(self, target: Target, progress: Callable[[Revision], None]) -> None:
        """Apply pending migrations in one transaction; raises SetupError naming the one
        that failed, leaving the database as it was."""
        ...

    async def close(self) -> None:
        """Let go of the local server, started by a check and kept for the window: the
        last thing a launch does, so the server starts once per launch."""
        ...
