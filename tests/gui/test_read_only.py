"""Connected as a role that may only read, the window opens read-only and says why.

The role is made on the test server (the embedded one, or the service named by
``TEST_DATABASE_URL``) and dropped at the end; the window gets the real Tessera of the
composition root, connected as that role.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import pytest_asyncio
from sqlalchemy.engine import URL

from app.bootstrap import Tessera, open_tessera
from app.domain.users import UserDraft
from app.infrastructure.engine import create_engine
from app.infrastructure.migrations import MigrationRunner
from app.infrastructure.settings import Settings
from tests.clock import FrozenClock
from tests.gui.helpers import modal, started, until
from tests.roles import READ, database_role
from ui.dialogs.users import UserDialog
from ui.window import MainWindow

SHOWS_ONLY = "Tessera shows the data but will not change it."


@asynccontextmanager
async def _as_role(url: URL, clock: FrozenClock, grants: Sequence[str]) -> AsyncIterator[Tessera]:
    """Tessera connected as a new role with ``grants`` on the migrated database at ``url``."""
    engine = create_engine(url, Settings(_env_file=None))
    try:
        await MigrationRunner(engine).upgrade()
    finally:
        await engine.dispose()
    async with database_role(url, grants) as role:
        as_role = Settings(_env_file=None, database_url=role.render_as_string(hide_password=False))
        async with open_tessera(as_role, clock) as tessera:
            yield tessera


@pytest_asyncio.fixture
async def reader(empty_database: URL, clock: FrozenClock) -> AsyncIterator[Tessera]:
    """Tessera connected as a new role that may only read a migrated database."""
    async with _as_role(empty_database, clock, READ) as tessera:
        yield tessera


async def _with_a_user(url: URL, clock: FrozenClock) -> None:
    settings = Settings(_env_file=None, database_url=url.render_as_string(hide_password=False))
    async with open_tessera(settings, clock) as owner:
        await owner.users.create(UserDraft(email="ada@example.org", display_name="Ada"))


async def test_a_reader_gets_a_read_only_window_that_says_why(
    empty_database: URL, reader: Tessera, clock: FrozenClock, make_window: Any
) -> None:
    await _with_a_user(empty_database, clock)
    window: MainWindow = make_window(reader)
    await started(window)

    role = reader.database.url.username if reader.database.url else ""
    reason = f"Connected as “{role}”, which may only read these tables: {SHOWS_ONLY}"
    assert window.banner.isVisible()
    assert window.banner_text.text() == reason
    assert not window.upgrade_button.isVisible()
    users = window.users_tab
    await until(lambda: users.model.rowCount() == 1, what="the reader to see the user")
    users.view.selectRow(0)
    for tab in window.record_tabs:
        for action in (tab.new_action, tab.edit_action, tab.delete_action):
            assert not action.isEnabled(), action.objectName()
            assert action.toolTip().endswith(f"not available. {reason}"), action.toolTip()
    tokens = window.tokens_tab
    for action in (tokens.revoke_action, tokens.rotate_action):
        assert not action.isEnabled()
        assert reason in action.toolTip()
    assert users.new_action.toolTip().startswith("New (Ctrl+N)")
    if os.environ.get("TESSERA_SCREENSHOTS"):
        window.grab().save(os.environ["TESSERA_SCREENSHOTS"])


async def test_a_role_that_may_only_update_users_may_edit_users_and_nothing_else(
    empty_database: URL, clock: FrozenClock, make_window: Any
) -> None:
    grants = (*READ, "GRANT UPDATE ON users TO {role}")
    async with _as_role(empty_database, clock, grants) as updater:
        await _with_a_user(empty_database, clock)
        role = updater.database.url.username if updater.database.url else ""
        window: MainWindow = make_window(updater)
        await started(window)
        access = await updater.access()  # what the window asked at its start
        users = window.users_tab
        await until(lambda: users.model.rowCount() == 1, what="the user")
        users.view.selectRow(0)
        assert users.edit_action.isEnabled()
        assert not users.new_action.isEnabled()
        assert not users.delete_action.isEnabled()
        says = f"“{role}”, which may change users but not add or delete them"
        assert says in access.reason
        assert users.delete_action.toolTip().endswith(f"not available. {access.reason}")
        assert not users.edit_action.toolTip().endswith(access.reason)
        for tab in (window.tokens_tab, window.events_tab):
            assert not tab.new_action.isEnabled()
        assert not window.tokens_tab.revoke_action.isEnabled()

        users.edit_action.trigger()
        dialog = await modal(UserDialog)
        dialog.display_name.setText("Ada Lovelace")
        if os.environ.get("TESSERA_SCREENSHOTS"):
            window.grab().save(os.environ["TESSERA_SCREENSHOTS"])
        dialog.save_button.click()
        await until(lambda: not dialog.isVisible(), what="the edit to be saved")
        assert [u.display_name for u in users.model.rows] == ["Ada Lovelace"]
        await until(lambda: not users.tasks.busy, what="the edit to end")
        users.new_record()  # Ctrl+N's slot, called even though New is off: refused
        assert not users.tasks.busy
