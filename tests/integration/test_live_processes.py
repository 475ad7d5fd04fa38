"""Two Tessera processes on one server: a window follows what the other Tessera and psql write."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from app.bootstrap import open_tessera
from app.domain.users import UserDraft
from app.infrastructure.engine import create_engine
from app.infrastructure.migrations import MigrationRunner
from app.infrastructure.settings import Settings
from tests.processes import Children, scratch_folder
from ui.app import ANNOUNCE_READY_ENV, CHANGES_LINE, READY_LINE

pytestmark = [pytest.mark.slow]


@pytest.fixture
def children() -> Iterator[Children]:
    with scratch_folder("tessera-live-") as folder:
        made = Children(folder)
        try:
            yield made
        finally:
            made.cleanup()


async def test_a_window_in_another_process_follows_a_second_tessera_and_psql(
    empty_database: URL, settings: Settings, children: Children
) -> None:
    engine = create_engine(empty_database, settings)
    try:
        await MigrationRunner(engine).upgrade()
        url = empty_database.set(drivername="postgresql").render_as_string(hide_password=False)
        window = children.start(
            "-m", "tessera", TESSERA_DATABASE_URL=url, **{ANNOUNCE_READY_ENV: "1"}
        )
        window.wait_for_line(READY_LINE)

        async with open_tessera(Settings(_env_file=None, database_url=url)) as other:
            kim = await other.users.create(UserDraft(email="kim@example.org", display_name="K"))
        seen = window.wait_for_line(CHANGES_LINE, timeout=10)
        assert f"user:insert:{kim.id}" in seen.split()

        async with engine.begin() as connection:  # psql
            await connection.execute(
                text("UPDATE users SET display_name = 'psql' WHERE id = :i"), {"i": kim.id}
            )
        seen = window.wait_for_line(CHANGES_LINE, timeout=10)
        assert f"user:update:{kim.id}" in seen.split()
    finally:
        await engine.dispose()
