"""Deleting many selected users asks what goes with them once, not once per user."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMessageBox

from app.domain.events import EventDraft
from app.domain.tokens import TokenRequest
from app.domain.users import UserDraft
from tests.fakes import FakeUnitOfWorkFactory
from tests.gui.conftest import Backend
from tests.gui.helpers import later, modal, press, started, until
from ui.window import MainWindow

SELECTED = 200


async def test_deleting_200_selected_users_asks_their_impact_in_one_unit_of_work(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any
) -> None:
    people = [
        await fake_backend.users.create(
            UserDraft(email=f"user{n:03d}@example.org", display_name=f"User {n}")
        )
        for n in range(SELECTED)
    ]
    for person in people[:3]:
        await fake_backend.tokens.issue(
            TokenRequest(owner_id=person.id, name="t", expires_at=later(30))
        )
    start = later(1)
    draft = EventDraft(owner_id=people[0].id, title="e", starts_at=start, ends_at=start)
    await fake_backend.events.create(draft)
    window: MainWindow = make_window(fake_backend)
    await started(window)
    tab = window.users_tab
    assert len(tab.model.rows) == SELECTED
    tab.view.selectAll()
    units = len(fake_db.units)

    tab.delete_action.trigger()
    box = await modal(QMessageBox, "confirm_dialog")

    assert len(fake_db.units) == units + 1
    assert box.text() == f"Delete {SELECTED} users?"
    assert box.informativeText() == "Deleted with these users: 3 tokens and 1 event."
    press(box, "confirm_cancel")
    await until(lambda: not box.isVisible(), what="the question to close")
    assert len(fake_db.tables.users) == SELECTED
