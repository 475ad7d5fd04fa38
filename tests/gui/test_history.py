"""A record's history (Ctrl+H), Revert to this version, and Recent changes."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction

from app.domain.changes import Operation
from app.domain.tokens import TokenRequest
from app.domain.users import UserDraft, UserPatch
from tests.fakes import FakeUnitOfWorkFactory
from tests.gui.conftest import Backend
from tests.gui.helpers import later, modal, started, until
from ui.dialogs.history import HistoryDialog, RecentChangesDialog
from ui.window import MainWindow


async def _window_with_kim(backend: Backend, make_window: Any) -> MainWindow:
    kim = await backend.users.create(UserDraft(email="kim@example.org", display_name="Kim"))
    await backend.users.update(kim.id, kim.version, UserPatch(display_name="Kim Lee"))
    await backend.tokens.issue(TokenRequest(owner_id=kim.id, name="ci", expires_at=later(9)))
    window: MainWindow = make_window(backend)
    await started(window)
    return window


def _texts(dialog: Any, column: int) -> list[str]:
    table = dialog.table
    return [table.item(row, column).text() for row in range(table.rowCount())]


async def test_ctrl_h_shows_a_users_history_with_its_tokens_field_by_field(
    fake_backend: Backend, make_window: Any
) -> None:
    window = await _window_with_kim(fake_backend, make_window)
    tab = window.users_tab
    tab.view.selectRow(0)
    assert tab.history_action.shortcut().toString() == "Ctrl+H"

    tab.history_action.trigger()

    dialog = await modal(HistoryDialog, "history_dialog")
    await until(lambda: dialog.table.rowCount() == 3, what="three changes")
    assert dialog.windowTitle() == "History of user “Kim Lee”"
    assert _texts(dialog, 3) == ["Created token #1", "Changed user #1", "Created user #1"]
    assert _texts(dialog, 4)[1] == "Name: Kim → Kim Lee"
    assert set(_texts(dialog, 1)) == {"tester"}
    dialog.close()


async def test_revert_to_a_version_saves_the_old_values_as_an_edit(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any
) -> None:
    window = await _window_with_kim(fake_backend, make_window)
    tab = window.users_tab
    tab.view.selectRow(0)
    tab.history_action.trigger()
    dialog = await modal(HistoryDialog, "history_dialog")
    await until(lambda: dialog.table.rowCount() == 3, what="the history")
    dialog.table.selectRow(0)  # the newest change cannot be reverted to: it is now
    assert not dialog.revert_button.isEnabled()

    dialog.table.selectRow(2)  # as created
    assert dialog.revert_button.isEnabled()
    dialog.revert_button.click()

    await until(lambda: fake_db.tables.users[1].display_name == "Kim", what="the revert")
    await until(lambda: dialog.table.rowCount() == 4, what="the revert in the history")
    assert _texts(dialog, 4)[0] == "Name: Kim Lee → Kim"
    await until(lambda: tab.model.rows[0].display_name == "Kim", what="the row")
    undo = window.findChild(QAction, "action_undo")
    assert undo is not None
    await until(lambda: undo.text() == "&Undo Revert", what="the revert undoable")
    dialog.close()


async def test_recent_changes_lists_everything_and_filters_by_operation(
    fake_backend: Backend, make_window: Any
) -> None:
    window = await _window_with_kim(fake_backend, make_window)

    dialog = window.show_recent_changes()
    await until(lambda: dialog.table.rowCount() == 3, what="every change")
    assert isinstance(dialog, RecentChangesDialog)
    dialog.operation.setCurrentIndex(dialog.operation.findData(Operation.UPDATE))

    await until(lambda: _texts(dialog, 3) == ["Changed user #1"], what="updates only")
    assert dialog.status.text() == "1 change shown."
    assert not dialog.older.isEnabled()
    dialog.close()
