"""Undo and redo of the window's own actions (Edit → Undo, Ctrl+Z), through the change log."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from app.domain.tokens import TokenRequest
from app.domain.users import User, UserDraft, UserPatch
from tests.fakes import FakeUnitOfWorkFactory
from tests.gui.conftest import Backend
from tests.gui.helpers import emitted, later, modal, press, started, until
from ui.dialogs.conflict import ConflictDialog
from ui.dialogs.users import UserDialog
from ui.window import MainWindow


async def _kim(backend: Backend) -> User:
    kim = await backend.users.create(UserDraft(email="kim@example.org", display_name="Kim"))
    for n in range(2):
        request = TokenRequest(owner_id=kim.id, name=f"ci {n}", expires_at=later(30))
        await backend.tokens.issue(request)
    return kim


def _action(window: MainWindow, name: str) -> QAction:
    action = window.findChild(QAction, name)
    assert action is not None, name
    return action


async def _delete_selected_users(window: MainWindow) -> None:
    window.users_tab.view.selectAll()
    window.users_tab.delete_action.trigger()
    press(await modal(QMessageBox, "confirm_dialog"), "confirm_yes")


async def test_undo_brings_back_a_deleted_user_with_its_tokens_and_redo_deletes_again(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any
) -> None:
    kim = await _kim(fake_backend)
    before = fake_db.tables.copy()
    window: MainWindow = make_window(fake_backend)
    await started(window)
    undo, redo = _action(window, "action_undo"), _action(window, "action_redo")
    assert not undo.isEnabled()

    await _delete_selected_users(window)
    await until(lambda: undo.isEnabled(), what="an undoable action")
    assert undo.text() == "&Undo Delete 1 user"
    assert undo.shortcut().toString() == "Ctrl+Z"

    replayed = emitted(window.undo.replayed)
    undo.trigger()
    await replayed
    assert fake_db.tables.users == before.users
    assert fake_db.tables.tokens == before.tokens  # same ids, same secrets' hashes
    await until(
        lambda: [u.id for u in window.users_tab.model.rows] == [kim.id], what="the user in view"
    )

    replayed = emitted(window.undo.replayed)
    redo.trigger()
    await replayed
    assert fake_db.tables.users == {}
    assert fake_db.tables.tokens == {}


async def test_undo_after_someone_else_changed_the_row_overwrites_nothing(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any
) -> None:
    await _kim(fake_backend)
    window: MainWindow = make_window(fake_backend)
    await started(window)
    tab = window.tokens_tab
    tab.view.selectAll()
    tab.revoke_action.trigger()
    press(await modal(QMessageBox, "confirm_dialog"), "confirm_yes")
    undo = _action(window, "action_undo")
    await until(lambda: undo.isEnabled(), what="the revoke on the stack")
    assert undo.text() == "&Undo Revoke 2 tokens"
    # Meanwhile another client deletes one of the revoked tokens.
    gone = next(iter(fake_db.tables.tokens.values()))
    await fake_backend.tokens.delete_many([gone])

    undo.trigger()

    await until(lambda: "Not undone" in window.statusBar().currentMessage(), what="the refusal")
    assert "The undo history was cleared." in window.statusBar().currentMessage()
    assert window.undo.stack.count() == 0
    [left] = fake_db.tables.tokens.values()
    assert left.revoked_at is not None  # all or nothing: the other token stays revoked


async def _kim_renamed_in(backend: Backend, make_window: Any) -> tuple[MainWindow, User, QAction]:
    """Kim, renamed "Kim Lee" through the edit dialog: the edit is on the undo stack."""
    kim = await backend.users.create(UserDraft(email="kim@example.org", display_name="Kim"))
    window: MainWindow = make_window(backend)
    await started(window)
    window.users_tab.view.selectRow(0)
    window.users_tab.edit_action.trigger()
    form = await modal(UserDialog)
    form.display_name.setText("Kim Lee")
    form.save_button.click()
    undo = _action(window, "action_undo")
    await until(lambda: undo.text() == "&Undo Edit user", what="the edit on the stack")
    return window, kim, undo


async def _someone_else(backend: Backend, db: FakeUnitOfWorkFactory, patch: UserPatch) -> User:
    stored = db.tables.users[1]
    return await backend.users.update(stored.id, stored.version, patch)


async def test_an_undo_refused_by_a_newer_edit_offers_the_comparison_and_keeps_their_change(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any
) -> None:
    window, kim, undo = await _kim_renamed_in(fake_backend, make_window)
    await _someone_else(fake_backend, fake_db, UserPatch(email="kim@corp.example"))

    undo.trigger()

    box = await modal(QMessageBox, "undo_refused")
    assert f"user #{kim.id}" in box.text()
    assert window.undo.stack.count() == 0  # what the stack promised no longer holds
    press(box, "undo_refused_compare")
    conflict = await modal(ConflictDialog, "conflict_dialog")
    assert {d.field for d in conflict.diffs} == {"display_name", "email"}
    press(conflict, "conflict_dialog_apply")
    await until(lambda: fake_db.tables.users[kim.id].display_name == "Kim", what="taken back")
    assert fake_db.tables.users[kim.id].email == "kim@corp.example"
    await until(lambda: undo.isEnabled(), what="the comparison is undoable in turn")


async def test_leaving_a_refused_undo_as_it_is_writes_nothing(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any
) -> None:
    window, kim, undo = await _kim_renamed_in(fake_backend, make_window)
    stored = await _someone_else(fake_backend, fake_db, UserPatch(display_name="Kim Park"))

    undo.trigger()
    press(await modal(QMessageBox, "undo_refused"), "undo_refused_leave")

    await until(lambda: window.tasks.busy is False, what="the offer closed")
    assert fake_db.tables.users[kim.id] == stored
