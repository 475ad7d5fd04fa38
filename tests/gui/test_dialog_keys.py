"""Dialogs by keyboard: focus in the first field, Enter saves, Esc asks before losing typing.

And after a save or a delete a row is selected, so the next Del or Enter has a target.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from app.domain.users import User, UserDraft
from tests.fakes import FakeUnitOfWorkFactory
from tests.gui.conftest import Backend
from tests.gui.helpers import emitted, modal, press, started, until
from ui.dialogs.events import EventDialog
from ui.dialogs.form import RecordDialog
from ui.dialogs.tokens import SecretDialog, TokenDialog
from ui.dialogs.users import UserDialog
from ui.window import MainWindow

DISCARD = "Discard your changes?"


async def _people(backend: Backend, *names: str) -> list[User]:
    return [
        await backend.users.create(UserDraft(email=f"{n.lower()}@example.org", display_name=n))
        for n in names
    ]


async def _new_user_dialog(window: MainWindow) -> UserDialog:
    await started(window)
    window.users_tab.new_action.trigger()
    return await modal(UserDialog)


@pytest.mark.parametrize(
    ("tab", "kind", "first"),
    [
        ("users_tab", UserDialog, "email"),
        ("tokens_tab", TokenDialog, "owner"),
        ("events_tab", EventDialog, "owner"),
    ],
)
async def test_a_dialog_opens_in_its_first_field_with_save_the_default(
    fake_backend: Backend, make_window: Any, tab: str, kind: type[RecordDialog], first: str
) -> None:
    window: MainWindow = make_window(fake_backend)
    await started(window)
    window.tabs.setCurrentWidget(getattr(window, tab))
    getattr(window, tab).new_action.trigger()
    dialog = await modal(kind)
    await until(lambda: dialog.focusWidget() is not None, what="focus in the dialog")
    assert dialog.focusWidget() is getattr(dialog, first)
    assert dialog.save_button.isDefault()
    dialog.reject()


async def test_typing_goes_into_the_fields_and_enter_saves(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any, qtbot: QtBot
) -> None:
    window: MainWindow = make_window(fake_backend)
    dialog = await _new_user_dialog(window)
    await until(lambda: dialog.focusWidget() is dialog.email, what="focus in the email")
    qtbot.keyClicks(dialog.focusWidget(), "ana@example.org")
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.focusWidget(), "Ana")
    loaded = emitted(window.users_tab.loaded)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    await until(lambda: not dialog.isVisible(), what="Enter to save")
    assert [(u.email, u.display_name) for u in fake_db.tables.users.values()] == [
        ("ana@example.org", "Ana")
    ]
    await loaded


async def test_enter_after_a_preset_saves_the_token(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any, qtbot: QtBot
) -> None:
    (kim,) = await _people(fake_backend, "Kim")
    window: MainWindow = make_window(fake_backend)
    await started(window)
    window.tabs.setCurrentWidget(window.tokens_tab)
    window.tokens_tab.set_owner(kim)
    await emitted(window.tokens_tab.loaded)
    window.tokens_tab.new_action.trigger()
    dialog = await modal(TokenDialog)
    dialog.name.setText("CI deploy")
    preset = dialog.findChild(QPushButton, "token_dialog_preset_30")
    assert preset is not None
    qtbot.mouseClick(preset, Qt.MouseButton.LeftButton)
    qtbot.keyClick(preset, Qt.Key.Key_Return)
    secret = await modal(SecretDialog)
    assert [t.name for t in fake_db.tables.tokens.values()] == ["CI deploy"]
    secret.reject()


async def test_esc_without_changes_closes_at_once(
    fake_backend: Backend, make_window: Any, qtbot: QtBot
) -> None:
    window: MainWindow = make_window(fake_backend)
    dialog = await _new_user_dialog(window)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    await until(lambda: not dialog.isVisible(), what="the dialog to close")


@pytest.mark.parametrize("how", ["esc", "cancel", "close"])
async def test_leaving_typed_input_asks_first(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any, qtbot: QtBot,
    how: str,
) -> None:  # fmt: skip
    window: MainWindow = make_window(fake_backend)
    dialog = await _new_user_dialog(window)
    qtbot.keyClicks(dialog.email, "typed@example.org")

    def leave() -> None:
        if how == "esc":
            qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        elif how == "cancel":
            press(dialog, "user_dialog_cancel")
        else:  # as the window's close button does: a spontaneous close event
            handle = dialog.windowHandle()
            assert handle is not None
            handle.close()

    leave()
    box = await modal(QMessageBox, "confirm_dialog")
    assert box.text() == DISCARD
    keep = box.findChild(QPushButton, "confirm_cancel")
    assert keep is not None
    assert keep.text() == "Keep editing"
    press(box, "confirm_cancel")
    await until(lambda: not dialog.tasks.busy, what="the question to be answered")
    assert dialog.isVisible()
    assert dialog.email.text() == "typed@example.org"
    leave()
    press(await modal(QMessageBox, "confirm_dialog"), "confirm_yes")
    await until(lambda: not dialog.isVisible(), what="the dialog to close")
    assert not fake_db.tables.users


async def test_after_a_save_the_saved_row_is_selected(
    fake_backend: Backend, make_window: Any, qtbot: QtBot
) -> None:
    await _people(fake_backend, "Bo", "Cy")
    window: MainWindow = make_window(fake_backend)
    dialog = await _new_user_dialog(window)
    dialog.email.setText("al@example.org")
    dialog.display_name.setText("Al")
    tab = window.users_tab
    loaded = emitted(tab.loaded)
    dialog.save_button.click()
    await loaded
    await until(lambda: tab.selected_rows(), what="a selected row")
    assert [u.display_name for u in tab.selected_rows()] == ["Al"]
    assert tab.delete_action.isEnabled()
    tab.view.selectRow(2)
    tab.edit_action.trigger()
    dialog = await modal(UserDialog)
    dialog.display_name.setText("Cyrus")
    dialog.save_button.click()
    await until(lambda: not dialog.isVisible())
    assert [u.display_name for u in tab.selected_rows()] == ["Cyrus"]


async def test_after_a_delete_the_next_row_is_selected_or_the_previous_at_the_end(
    fake_backend: Backend, make_window: Any, qtbot: QtBot
) -> None:
    await _people(fake_backend, "Al", "Bo", "Cy")
    window: MainWindow = make_window(fake_backend)
    await started(window)
    tab = window.users_tab
    tab.view.selectRow(1)
    tab.delete_action.trigger()
    press(await modal(QMessageBox, "confirm_dialog"), "confirm_yes")
    await until(lambda: tab.model.rowCount() == 2, what="Bo to go")
    await until(lambda: tab.selected_rows(), what="a selected row")
    assert [u.display_name for u in tab.selected_rows()] == ["Cy"]
    tab.delete_action.trigger()  # at once: Del has its target
    press(await modal(QMessageBox, "confirm_dialog"), "confirm_yes")
    await until(lambda: tab.model.rowCount() == 1, what="Cy to go")
    await until(lambda: tab.selected_rows(), what="a selected row")
    assert [u.display_name for u in tab.selected_rows()] == ["Al"]
    tab.delete_action.trigger()
    box = await modal(QMessageBox, "confirm_dialog")
    press(box, "confirm_cancel")
    await until(lambda: not box.isVisible())
    assert [u.display_name for u in tab.selected_rows()] == ["Al"]  # nothing deleted, kept
