"""Settings from the environment (``TESSERA_*``) and an optional ``.env`` file."""

from __future__ import annotations

import re
import ssl
from datetime import timedelta
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from app.domain.connection_check import Problem, SetupError
from app.domain.validation import field_errors

SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


def _default_data_dir() -> Path:
    return platformdirs.user_data_path("tessera", appauthor=False)


class Settings(BaseSettings):
    """Tessera's configuration.

    The database URL is a secret (it may carry a password): it never appears in
    ``repr`` or logs. Absent, Tessera runs its own embedded server in ``data_dir``.
    """

    model_config = SettingsConfigDict(
        env_prefix="TESSERA_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: SecretStr | None = None
    # Connections kept open while idle, and how many more a burst may open (closed again
    # when returned): an idle window holds one, so many windows share a server.
    pool_size: int = Field(default=1, ge=1, le=100)
    max_overflow: int = Field(default=9, ge=0, le=100)
    pool_timeout_s: float = Field(default=10.0, gt=0)
    connect_timeout_s: float = Field(default=5.0, gt=0)
    statement_timeout_s: float = Field(default=30.0, ge=0)
    data_dir: Path = Field(default_factory=_default_data_dir)
    expiring_soon_days: int = Field(default=7, ge=0, le=365)
    # How long the change log keeps history (TESSERA_HISTORY_DAYS); older changes are pruned.
    history_days: int = Field(default=365, ge=1, le=36_500)

    @field_validator("database_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def expiring_soon(self) -> timedelta:
        """The window in which a token counts as expiring soon."""
        return timedelta(days=self.expiring_soon_days)

    @property
    def history_kept(self) -> timedelta:
        """How long changes stay in the log."""
        return timedelta(days=self.history_days)


def settings_problems(error: ValidationError) -> list[str]:
    """Each ``TESSERA_*`` setting that cannot be used, as a sentence that names it."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    names = {field: f"{prefix}{field}".upper() for field in Settings.model_fields}
    found = field_errors(error, names)
    return [
        text if text.startswith(names.get(field, "\0")) else f"{names.get(field, field)}: {text}"
        for field, text in found.items()
    ]


UNUSABLE_URL = "TESSERA_DATABASE_URL cannot be used: {reason}"


def configured_url(settings: Settings) -> URL | None:
    """The asyncpg URL ``TESSERA_DATABASE_URL`` names; None when unset (the local database).

    Raises:
        SetupError: INVALID_URL, with the reason in words.
    """
    if settings.database_url is None:
        return None
    try:
        url = async_url(settings.database_url.get_secret_value())
        if unknown := sorted(set(url.query) - _DRIVER_PARAMETERS):
            raise ValueError(_UNKNOWN_PARAMETER.format(name=unknown[0]))
    except ValueError as error:
        raise SetupError(Problem.INVALID_URL, UNUSABLE_URL.format(reason=error)) from None
    return url


# What the asyncpg driver takes from a URL's query (SQLAlchemy passes every key to it).
_DRIVER_PARAMETERS = frozenset(
    {
        "ssl",
        "sslrootcert",
        "host",
        "port",
        "passfile",
        "target_session_attrs",
        "krbsrvname",
        "gsslib",
        "prepared_statement_cache_size",
    }
)
_UNKNOWN_PARAMETER = (
    "The URL's parameter “{name}” is not one Tessera can pass on to PostgreSQL; remove it "
    "(timeouts are TESSERA_CONNECT_TIMEOUT_S and TESSERA_STATEMENT_TIMEOUT_S)."
)


def async_url(url: str) -> URL:
    """Parse a PostgreSQL URL and make it use the asyncpg driver.

    Accepts ``postgres://``, ``postgresql://`` and ``postgresql+<driver>://``. libpq's
    ``sslmode`` becomes asyncpg's ``ssl`` (same names); ``sslrootcert`` stays, for
    :func:`ssl_connect_args`.

    Raises:
        ValueError: with the reason in words (never the password), if the URL cannot be
            read, is not a PostgreSQL URL, has a bad port or names an unknown sslmode.
    """
    parsed = _parse(url.strip().replace("postgres://", "postgresql://", 1))
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"Tessera needs a PostgreSQL URL, not {parsed.get_backend_name()!r}.")
    parsed = parsed.set(drivername="postgresql+asyncpg")
    mode = parsed.query.get("sslmode")
    if mode is not None:
        # asyncpg's connect() takes no ``sslmode``: SQLAlchemy would pass it and fail.
        parsed = parsed.difference_update_query(["sslmode"])
        if "ssl" not in parsed.query:
            parsed = parsed.update_query_dict({"ssl": mode})
    mode = parsed.query.get("ssl")
    if isinstance(mode, tuple):
        raise ValueError("The URL gives sslmode more than once; give it once.")
    if mode is not None and mode not in SSL_MODES:
        raise ValueError(f"Unknown sslmode “{mode}”; use one of {', '.join(SSL_MODES)}.")
    return parsed


_NOT_A_URL = "This is not a database URL, like postgresql://user@host/db."
_BAD_PORT = "The port “{port}” in the URL is not a number from 1 to 65535."
_NO_BRACKET = "The host in the URL opens with “[” but has no closing “]”."
_NO_PORT = "The URL has a “:” after the host but no port number after it."


def _parse(text: str) -> URL:
    """``make_url``, with every way it fails (or lets a bad port through) in words."""
    try:
        parsed = make_url(_hosts_as_query(text))
    except (ArgumentError, ValueError):
        raise ValueError(_unreadable(text)) from None
    if parsed.port is not None and not 1 <= parsed.port <= 65535:
        raise ValueError(_BAD_PORT.format(port=parsed.port))
    return parsed


def _hosts_as_query(text: str) -> str:
    """libpq's several hosts (``h1:5432,h2:5433`` in place of the host) as SQLAlchemy's query.

    ``postgresql://u@h1:5432,h2:5433/db?target_session_attrs=read-write`` becomes
    ``postgresql://u@/db?target_session_attrs=read-write&host=h1:5432&host=h2:5433``, which
    the asyncpg dialect hands to asyncpg as a list of hosts and ports.
    """
    scheme, found, rest = text.partition("://")
    authority = re.split(r"[/?]", rest, maxsplit=1)[0]
    user, at, hosts = authority.rpartition("@")
    if not found or "," not in hosts:
        return text
    tail = rest[len(authority) :]
    path, _, query = tail.partition("?")
    named = "&".join(f"host={host}" for host in hosts.split(",") if host)
    return f"{scheme}://{user}{at}{path or '/'}?{query}{'&' if query else ''}{named}"


def _unreadable(text: str) -> str:
    """Why ``text`` is not a URL. Only what follows the last ``@`` (no password) is quoted."""
    scheme, found, rest = text.partition("://")
    if not found or not scheme:
        return _NOT_A_URL
    where = rest.rpartition("@")[2]
    host_port = where.split("/", 1)[0].split("?", 1)[0]
    if host_port.startswith("["):
        if "]" not in host_port:
            return _NO_BRACKET
        host_port = host_port.partition("]")[2]
    port = host_port.partition(":")[2] if ":" in host_port else None
    if port == "":
        return _NO_PORT
    if port is not None and not (port.isdigit() and 1 <= int(port) <= 65535):
        return _BAD_PORT.format(port=port[:20])
    return _NOT_A_URL


def ssl_connect_args(url: URL) -> tuple[URL, dict[str, Any]]:
    """The URL without ``sslrootcert``, and asyncpg's ``ssl`` argument carrying that CA.

    asyncpg reads a root certificate only from a DSN or ``PGSSLROOTCERT``, and SQLAlchemy
    hands it keywords: so a URL naming one gets an :class:`ssl.SSLContext` built the way
    libpq would (verify-full checks the host name, verify-ca and require only the chain).

    Raises:
        SetupError: CERTIFICATE_UNTRUSTED when the CA file cannot be read.
    """
    root = url.query.get("sslrootcert")
    if root is None:
        return url, {}
    url = url.difference_update_query(["sslrootcert"])
    mode = url.query.get("ssl", "prefer")
    if not root or mode not in ("require", "verify-ca", "verify-full"):
        return url, {}  # disable, allow and prefer verify nothing, as with libpq
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = mode == "verify-full"
    try:
        context.load_verify_locations(cafile=str(root))
    except (OSError, ssl.SSLError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SetupError(
            Problem.CERTIFICATE_UNTRUSTED,
            f"The CA certificate “{root}” cannot be read ({reason}). Choose the PEM file "
            "that signed the server's certificate.",
        ) from None
    return url.difference_update_query(["ssl"]), {"ssl": context}


def describe_url(url: URL) -> str:
    """``user@host:port/db`` without the password, for title bars and messages."""
    hosts = url.query.get("host", "local socket")
    host = url.host or (",".join(hosts) if isinstance(hosts, tuple) else str(hosts))
    port = f":{url.port}" if url.port else ""
    user = f"{url.username}@" if url.username else ""
    return f"{user}{host}{port}/{url.database or ''}"
