"""Settings: environment, defaults, URL handling, and no password in sight."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg

from app.infrastructure.settings import Settings, async_url, describe_url


def test_environment_variables_configure_tessera(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TESSERA_DATABASE_URL", "postgresql://ana:pw@db.example.org:6543/tessera")
    monkeypatch.setenv("TESSERA_POOL_SIZE", "3")
    monkeypatch.setenv("TESSERA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TESSERA_EXPIRING_SOON_DAYS", "14")
    settings = Settings(_env_file=None)
    assert settings.database_url is not None
    assert settings.pool_size == 3
    assert settings.data_dir == tmp_path
    assert settings.expiring_soon.days == 14
    assert "pw" not in repr(settings)


def test_dotenv_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TESSERA_DATABASE_URL", raising=False)
    env = tmp_path / ".env"
    env.write_text("TESSERA_MAX_OVERFLOW=7\nTESSERA_DATABASE_URL=\n", encoding="utf-8")
    settings = Settings(_env_file=env)
    assert settings.max_overflow == 7
    assert settings.database_url is None  # blank means "use the embedded server"


def test_no_url_means_embedded_and_data_dir_defaults_to_user_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TESSERA_DATABASE_URL", raising=False)
    monkeypatch.delenv("TESSERA_DATA_DIR", raising=False)
    settings = Settings(_env_file=None)
    assert settings.database_url is None
    assert settings.data_dir.name == "tessera"


@pytest.mark.parametrize(
    "given",
    [
        "postgres://u:pw@h:5433/db",
        "postgresql://u:pw@h:5433/db",
        "postgresql+psycopg://u:pw@h:5433/db",
    ],
)
def test_async_url_uses_asyncpg_and_describe_hides_password(given: str) -> None:
    url = async_url(given)
    assert url.drivername == "postgresql+asyncpg"
    assert describe_url(url) == "u@h:5433/db"
    assert "pw" not in str(url)


def test_socket_urls_are_described_by_their_folder() -> None:
    url = async_url("postgresql://postgres@/tessera?host=/tmp/x")
    assert describe_url(url) == "postgres@/tmp/x/tessera"


def test_non_postgres_url_is_refused() -> None:
    with pytest.raises(ValueError, match="PostgreSQL"):
        async_url("sqlite:///tessera.db")


def test_several_hosts_as_libpq_writes_them_reach_asyncpg_as_a_list() -> None:
    url = async_url("postgresql://ana:s3cret@db1:5432,db2:5433/app?target_session_attrs=read-write")

    _, params = PGDialect_asyncpg().create_connect_args(url)  # type: ignore[no-untyped-call]

    assert params["host"] == ["db1", "db2"]
    assert params["port"] == [5432, 5433]
    assert params["target_session_attrs"] == "read-write"
    assert describe_url(url) == "ana@db1:5432,db2:5433/app"
    assert "s3cret" not in describe_url(url)
