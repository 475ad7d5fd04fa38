"""The examples of docs/testing.md that are not tests of examples/qa-suite/, run as written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from tessera.testing import FROZEN_AT, FrozenClock
from tessera.testing.pages import TablePage
from tessera.testing.waiting import emitted, modal, until


@pytest.fixture
def tessera_clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 1, 5, 9, tzinfo=timezone.utc))  # noqa: UP017 - as in the guide


class UsersPage(TablePage):
    tab_name = "users"

    async def deactivate(self, email: str) -> dict[str, str]:
        """Untick Active in the user's form and save; returns the row."""
        return await self.edit({"email": email}, is_active=False)


async def test_the_clock_fixture_can_be_overridden_and_moved(tessera: Any) -> None:
    assert tessera.clock() == datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert datetime(2026, 11, 26, 9, tzinfo=UTC) == FROZEN_AT
    tessera.clock.set(datetime(2026, 1, 6, 12, tzinfo=UTC))
    tessera.clock.advance(timedelta(days=-1))
    await tessera.idle()
    assert tessera.clock() == datetime(2026, 1, 5, 12, tzinfo=UTC)


async def test_waiting_on_signals_and_conditions_as_the_guide_shows(tessera: Any) -> None:
    await tessera.users.create(email="ana@example.com", display_name="Ana")
    loaded = emitted(tessera.window.users_tab.loaded)  # listen first …
    tessera.window.users_tab.reload()  # … then act
    await loaded
    await tessera.users.select(email="ana@example.com")
    tessera.window.users_tab.delete_action.trigger()
    dialog = await modal(QMessageBox, "confirm_dialog")
    dialog.reject()
    await until(lambda: not dialog.isVisible(), what="the question to close")
    assert [row["Email"] for row in await tessera.users.rows()] == ["ana@example.com"]


async def test_a_new_page_object_method_as_the_guide_writes_it(tessera: Any) -> None:
    await tessera.users.create(email="ana@example.com", display_name="Ana")
    row = await UsersPage(tessera).deactivate("ana@example.com")
    assert row["Active"] == "No"
    assert [r["Active"] for r in await tessera.users.rows()] == ["No"]
