"""A record's history (Ctrl+H), Revert to this version, and Recent changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from PySide6.QtGui import QAction

from app.domain.changes import Operation
from app.domain.tokens import TokenRequest
from app.domain.users import UserDraft, UserPatch
from tests.clock import FrozenClock
from tests.fakes import FakeUnitOfWorkFactory
from tests.gui.conftest import Backend
from tests.gui.helpers import later, modal, press, started, until
from ui.dialogs.conflict import ConflictDialog
from ui.dialogs.datetimes import to_qt
from ui.dialogs.history import HistoryDialog
from ui.dialogs.recent import RecentChangesDialog
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


async def _history_of_kim(window: MainWindow) -> HistoryDialog:
    tab = window.users_tab
    tab.view.selectRow(0)
    tab.history_action.trigger()
    dialog = await modal(HistoryDialog, "history_dialog")
    await until(lambda: dialog.table.rowCount() == 3, what="the history")
    return dialog


async def test_a_revert_after_someone_changed_the_record_opens_the_comparison(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any
) -> None:
    window = await _window_with_kim(fake_backend, make_window)
    dialog = await _history_of_kim(window)
    # While the history is open, someone else changes Kim's email.
    kim = fake_db.tables.users[1]
    await fake_backend.users.update(kim.id, kim.version, UserPatch(email="kim@corp.example"))

    dialog.table.selectRow(2)  # back to "Kim", as created
    dialog.revert_button.click()

    conflict = await modal(ConflictDialog, "conflict_dialog")
    fields = {d.field: d for d in conflict.diffs}
    assert set(fields) == {"display_name", "email"}
    assert fields["display_name"].changed_by_me
    assert not fields["display_name"].changed_by_them
    assert fields["email"].changed_by_them
    assert not fields["email"].changed_by_me
    press(conflict, "conflict_dialog_apply")
    await until(lambda: fake_db.tables.users[1].display_name == "Kim", what="the revert")
    assert fake_db.tables.users[1].email == "kim@corp.example"  # their change is kept
    await until(lambda: "Reverted" in dialog.status.text(), what="said so")
    dialog.close()


async def test_a_cancelled_comparison_reverts_nothing_and_says_so(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any
) -> None:
    window = await _window_with_kim(fake_backend, make_window)
    dialog = await _history_of_kim(window)
    kim = fake_db.tables.users[1]
    await fake_backend.users.update(kim.id, kim.version, UserPatch(display_name="Kim Park"))
    stored = fake_db.tables.users[1]

    dialog.table.selectRow(2)
    dialog.revert_button.click()
    conflict = await modal(ConflictDialog, "conflict_dialog")
    [diff] = conflict.diffs
    assert diff.clash  # "Kim" (the revert) against "Kim Park" (theirs), from "Kim Lee"
    press(conflict, "conflict_dialog_cancel")

    await until(lambda: "Nothing was saved" in dialog.status.text(), what="the refusal")
    assert fake_db.tables.users[1] == stored
    dialog.close()


async def test_recent_changes_are_limited_to_a_period_or_to_dates_between(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, clock: FrozenClock, make_window: Any
) -> None:
    window = await _window_with_kim(fake_backend, make_window)
    now = clock()
    # Kim was created two days ago; the rename and the token came ten minutes ago.
    ages = (timedelta(days=2), timedelta(minutes=10), timedelta(minutes=10))
    fake_db.changes[:] = [
        replace(c, changed_at=now - age) for c, age in zip(fake_db.changes, ages, strict=True)
    ]
    dialog = window.show_recent_changes()
    assert isinstance(dialog, RecentChangesDialog)
    await until(lambda: dialog.table.rowCount() == 3, what="any time")

    dialog.period.setCurrentIndex(dialog.period.findText("Last 24 hours"))
    await until(lambda: dialog.table.rowCount() == 2, what="the last day only")
    assert "Created user #1" not in _texts(dialog, 3)
    assert not dialog.since.isVisible()

    dialog.period.setCurrentIndex(dialog.period.findText("Between…"))
    assert dialog.since.isVisible()
    assert dialog.until.isVisible()
    dialog.since.setDateTime(to_qt(now - timedelta(days=3)))
    dialog.until.setDateTime(to_qt(now - timedelta(days=1)))
    dialog.until.editingFinished.emit()
    await until(lambda: _texts(dialog, 3) == ["Created user #1"], what="between the dates")
    dialog.close()
