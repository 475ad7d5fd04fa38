"""Settings from the environment (``TESSERA_*``) and an optional ``.env`` file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url


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
    pool_size: int = Field(default=5, ge=1, le=100)
    max_overflow: int = Field(default=5, ge=0, le=100)
    pool_timeout_s: float = Field(default=10.0, gt=0)
    connect_timeout_s: float = Field(default=5.0, gt=0)
    statement_timeout_s: float = Field(default=30.0, ge=0)
    data_dir: Path = Field(default_factory=_default_data_dir)
    expiring_soon_days: int = Field(default=7, ge=0, le=365)

    @field_validator("database_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def expiring_soon(self) -> timedelta:
        """The window in which a token counts as expiring soon."""
        return timedelta(days=self.expiring_soon_days)


def async_url(url: str) -> URL:
    """Parse a PostgreSQL URL and make it use the asyncpg driver.

    Accepts ``postgres://``, ``postgresql://`` and ``postgresql+<driver>://``.

    Raises:
        ValueError: if the URL is not a PostgreSQL URL.
    """
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"Tessera needs a PostgreSQL URL, not {parsed.get_backend_name()!r}.")
    return parsed.set(drivername="postgresql+asyncpg")


def describe_url(url: URL) -> str:
    """``user@host:port/db`` without the password, for title bars and messages."""
    host = url.host or str(url.query.get("host", "local socket"))
    port = f":{url.port}" if url.port else ""
    user = f"{url.username}@" if url.username else ""
    return f"{user}{host}{port}/{url.database or ''}"
