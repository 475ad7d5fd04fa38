"""The window on fake services: loading, searching, editing, deleting, schema, settings."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.domain.errors import Unavailable
from app.domain.events import EventDraft
from app.domain.schema import SchemaState
from app.domain.tokens import TokenRequest
from app.domain.users import Role, User, UserDraft
from tests.fakes import FakeUnitOfWorkFactory
from tests.gui.conftest import Backend, FakeMigrator
from tests.gui.helpers import emitted, later, modal, press, started, until
from ui.dialogs.users import UserDialog
from ui.window import MainWindow


async def _people(backend: Backend, *names: str) -> list[User]:
    return [
        await backend.users.create(
            UserDraft(email=f"{name.split()[0].lower()}@example.org", display_name=name)
        )
        for name in names
    ]


def _emails(window: MainWindow) -> list[str]:
    return [user.email for user in window.users_tab.model.rows]


async def test_window_names_the_database_and_loads_every_tab(
    fake_backend: Backend, make_window: Any
) -> None:
    await _people(fake_backend, "Ana García", "김민준 Kim", "Lukas Schäfer")
    window: MainWindow = make_window(fake_backend)
    await started(window)
    assert window.windowTitle() == "Tessera — Fake database"
    assert _emails(window) == ["ana@example.org", "lukas@example.org", "김민준@example.org"]
    assert window.users_tab.count_label.text() == "3 users"
    assert window.tokens_tab.count_label.text() == "0 tokens"
    assert not window.users_tab.busy.isVisible()


async def test_empty_tables_say_what_to_do(fake_backend: Backend, make_window: Any) -> None:
    window: MainWindow = make_window(fake_backend)
    await started(window)
    tab = window.users_tab
    assert tab.empty.isVisible()
    assert tab.empty.text() == "No users yet — press Ctrl+N to add one."
    tab.search.setText("nobody")
    await emitted(tab.loaded)
    assert tab.empty.text().startswith("No users match.")


async def test_typing_searches_on_the_server_after_a_pause(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any, qtbot: QtBot
) -> None:
    await _people(fake_backend, "Ana García", "Anahí Quispe", "Bo Lindqvist")
    window: MainWindow = make_window(fake_backend)
    await started(window)
    units_before = len(fake_db.units)
    loaded = emitted(window.users_tab.loaded)
    qtbot.keyClicks(window.users_tab.search, "ana")
    assert len(fake_db.units) == units_before  # nothing asked per keystroke
    await loaded
    assert _emails(window) == ["ana@example.org", "anahí@example.org"]
    assert window.users_tab.count_label.text() == "2 users"


async def test_role_filter(fake_backend: Backend, make_window: Any) -> None:
    await _people(fake_backend, "Ana García", "Bo Lindqvist")
    boss = await fake_backend.users.create(
        UserDraft(email="boss@example.org", display_name="Boss", role=Role.ADMINISTRATOR)
    )
    window: MainWindow = make_window(fake_backend)
    await started(window)
    combo = window.users_tab.role
    loaded = emitted(window.users_tab.loaded)
    combo.setCurrentIndex(combo.findData(Role.ADMINISTRATOR))
    await loaded
    assert _emails(window) == [boss.email]


async def test_new_user_through_the_dialog(fake_backend: Backend, make_window: Any) -> None:
    window: MainWindow = make_window(fake_backend)
    await started(window)
    window.users_tab.new_action.trigger()
    dialog = await modal(UserDialog)
    dialog.email.setText("Hana@Example.org")
    dialog.display_name.setText("佐藤 陽菜")
    dialog.role.setCurrentIndex(dialog.role.findData(Role.STAFF))
    loaded = emitted(window.users_tab.loaded)
    dialog.save_button.click()
    await loaded
    assert _emails(window) == ["Hana@example.org"]
    assert window.users_tab.model.rows[0].role is Role.STAFF
    assert "Created Hana@example.org" in window.statusBar().currentMessage()


async def test_invalid_input_is_shown_at_its_field_before_any_round_trip(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any
) -> None:
    window: MainWindow = make_window(fake_backend)
    await started(window)
    window.users_tab.new_action.trigger()
    dialog = await modal(UserDialog)
    units_before = len(fake_db.units)
    dialog.email.setText("not an email")
    dialog.save_button.click()
    await until(lambda: dialog.error_at("email"), what="an error at the email field")
    assert dialog.error_at("email") == "An email address must have an @-sign."
    assert dialog.error_at("display_name") == "This field is required."
    assert dialog.isVisible()
    assert len(fake_db.units) == units_before


async def test_duplicate_email_is_an_error_at_the_field_and_nothing_is_written(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any
) -> None:
    await _people(fake_backend, "Ana García")
    window: MainWindow = make_window(fake_backend)
    await started(window)
    window.users_tab.new_action.trigger()
    dialog = await modal(UserDialog)
    dialog.email.setText("ANA@example.org")
    dialog.display_name.setText("Another Ana")
    dialog.save_button.click()
    await until(lambda: dialog.error_at("email"), what="an error at the email field")
    assert dialog.error_at("email") == "Another user already has this email."
    assert dialog.email.text() == "ANA@example.org"  # what was typed is kept
    assert len(fake_db.tables.users) == 1


async def test_edit_from_the_keyboard_updates_the_row(
    fake_backend: Backend, make_window: Any, qtbot: QtBot
) -> None:
    (ana,) = await _people(fake_backend, "Ana García")
    window: MainWindow = make_window(fake_backend)
    await started(window)
    view = window.users_tab.view
    view.setFocus()
    view.selectRow(0)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    dialog = await modal(UserDialog)
    assert dialog.email.text() == ana.email
    dialog.display_name.setText("Ana María García")
    dialog.save_button.click()
    await until(lambda: not dialog.isVisible(), what="the dialog to close")
    row = window.users_tab.model.rows[0]
    assert (row.display_name, row.version) == ("Ana María García", 2)


async def test_delete_says_what_goes_with_the_user(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any
) -> None:
    ana, bo = await _people(fake_backend, "Ana García", "Bo Lindqvist")
    for n in range(3):
        await fake_backend.tokens.issue(
            TokenRequest(owner_id=ana.id, name=f"t{n}", expires_at=later(30))
        )
    for n in range(2):
        start = later(n + 1)
        await fake_backend.events.create(
            EventDraft(owner_id=ana.id, title="e", starts_at=start, ends_at=start)
        )
    window: MainWindow = make_window(fake_backend)
    await started(window)
    window.users_tab.view.selectRow(0)
    window.users_tab.delete_action.trigger()
    box = await modal(QMessageBox, "confirm_dialog")
    assert box.text() == "Delete Ana García <ana@example.org>?"
    assert box.informativeText() == "Deleted with this user: 3 tokens and 2 events."
    press(box, "confirm_yes")
    await until(lambda: _emails(window) == [bo.email], what="the row to go")
    assert window.users_tab.count_label.text() == "1 user"
    assert list(fake_db.tables.tokens) == []
    assert list(fake_db.tables.events) == []


async def test_cancelled_delete_deletes_nothing(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any
) -> None:
    await _people(fake_backend, "Ana García")
    window: MainWindow = make_window(fake_backend)
    await started(window)
    window.users_tab.view.selectRow(0)
    window.users_tab.delete_action.trigger()
    box = await modal(QMessageBox, "confirm_dialog")
    press(box, "confirm_cancel")
    await until(lambda: not box.isVisible())
    assert len(fake_db.tables.users) == 1
    assert len(window.users_tab.model.rows) == 1


async def test_show_tokens_of_a_user_filters_the_tokens_tab(
    fake_backend: Backend, make_window: Any
) -> None:
    ana, bo = await _people(fake_backend, "Ana García", "Bo Lindqvist")
    for owner in (ana, bo, bo):
        await fake_backend.tokens.issue(
            TokenRequest(owner_id=owner.id, name=owner.display_name, expires_at=later(9))
        )
    window: MainWindow = make_window(fake_backend)
    await started(window)
    window.users_tab.view.selectRow(1)
    loaded = emitted(window.tokens_tab.loaded)
    window.users_tab.tokens_action.trigger()
    await loaded
    assert window.tabs.currentWidget() is window.tokens_tab
    assert window.tokens_tab.owner.text() == "Bo Lindqvist <bo@example.org>"
    assert [t.owner_id for t in window.tokens_tab.model.rows] == [bo.id, bo.id]
    owner_column = window.tokens_tab.model.column_named("owner")
    assert window.tokens_tab.model.index(0, owner_column).data() == "Bo Lindqvist"


async def test_paging_loads_every_row_once_in_order(
    fake_backend: Backend, make_window: Any
) -> None:
    for n in range(450):
        await fake_backend.users.create(
            UserDraft(email=f"user{n:04d}@example.org", display_name=f"User {n}")
        )
    window: MainWindow = make_window(fake_backend)
    await started(window)
    tab = window.users_tab
    assert len(tab.model.rows) == 200
    while tab.model.has_more:
        loaded = emitted(tab.loaded)
        tab.view.scrollToBottom()
        await loaded
    assert _emails(window) == [f"user{n:04d}@example.org" for n in range(450)]


async def test_a_schema_behind_is_offered_an_upgrade(
    fake_backend: Backend, make_window: Any
) -> None:
    fake_backend.migrations = FakeMigrator(SchemaState.BEHIND)
    window: MainWindow = make_window(fake_backend)
    window.show()
    window.start()
    await until(lambda: window.banner.isVisible(), what="the schema banner")
    assert "must apply 1 update" in window.banner_text.text()
    assert "(Users, tokens and events)." in window.banner_text.text()
    assert not window.tabs.isEnabled()
    ready = emitted(window.ready)
    window.upgrade_button.click()
    await ready
    assert not window.banner.isVisible()
    assert window.tabs.isEnabled()
    assert fake_backend.migrations.upgraded == 1


async def test_a_schema_from_a_newer_tessera_is_read_only(
    fake_backend: Backend, make_window: Any
) -> None:
    await _people(fake_backend, "Ana García")
    fake_backend.migrations = FakeMigrator(SchemaState.AHEAD)
    window: MainWindow = make_window(fake_backend)
    await started(window)
    assert window.banner.isVisible()
    assert "newer Tessera" in window.banner_text.text()
    assert not window.users_tab.new_action.isEnabled()
    window.users_tab.view.selectRow(0)
    assert not window.users_tab.delete_action.isEnabled()


async def test_database_errors_reach_the_status_bar_in_words(
    fake_backend: Backend, make_window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    window: MainWindow = make_window(fake_backend)
    await started(window)

    async def unreachable(*_: Any) -> Any:
        raise Unavailable()

    monkeypatch.setattr(fake_backend.users, "list", unreachable)
    failed = emitted(window.users_tab.tasks.failed)
    window.users_tab.reload()
    (message,) = await failed
    assert message == "The database cannot be reached. Check the connection and retry."
    assert window.statusBar().currentMessage() == message


async def test_geometry_tab_and_columns_persist(
    fake_backend: Backend, make_window: Any, ui_settings: QSettings
) -> None:
    window: MainWindow = make_window(fake_backend)
    window.show()
    window.resize(700, 500)  # inside the 800×600 offscreen screen: larger is clamped
    window.tabs.setCurrentIndex(2)
    window.users_tab.view.setColumnWidth(1, 333)
    window.users_tab.view.horizontalHeader().setSortIndicator(2, Qt.SortOrder.DescendingOrder)
    window.close()
    again: MainWindow = make_window(fake_backend)
    assert not any(tab.tasks.busy for tab in again.record_tabs)  # restoring loads nothing
    assert again.tabs.currentIndex() == 2
    assert again.users_tab.view.columnWidth(1) == 333
    assert (again.size().width(), again.size().height()) == (700, 500)


async def test_closing_cancels_pending_work(fake_backend: Backend, make_window: Any) -> None:
    window: MainWindow = make_window(fake_backend)
    await started(window)
    never_done = window.users_tab.tasks.spawn(_forever(), name="slow")
    window.close()
    await window.shutdown()
    assert never_done.cancelled()
    assert not window.users_tab.tasks.busy


async def _forever() -> None:
    await asyncio.Event().wait()


async def test_several_users_are_deleted_after_one_question(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any
) -> None:
    await _people(fake_backend, "Ana García", "Bo Lindqvist", "Cy Twombly")
    window: MainWindow = make_window(fake_backend)
    await started(window)
    view = window.users_tab.view
    view.selectAll()
    view.selectionModel().select(
        window.users_tab.model.index(1, 0),
        QItemSelectionModel.SelectionFlag.Deselect | QItemSelectionModel.SelectionFlag.Rows,
    )
    window.users_tab.delete_action.trigger()
    box = await modal(QMessageBox, "confirm_dialog")
    assert box.text() == "Delete 2 users?"
    assert box.informativeText() == "Nothing else belongs to these users."
    press(box, "confirm_yes")
    await until(lambda: _emails(window) == ["bo@example.org"], what="two rows to go")
    assert [u.email for u in fake_db.tables.users.values()] == ["bo@example.org"]


async def test_huge_tables_show_an_estimate_and_say_so(
    fake_backend: Backend, make_window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _people(fake_backend, "Ana García")

    async def a_million() -> int:
        return 1_000_000

    monkeypatch.setattr(fake_backend.users, "estimate_total", a_million)
    window: MainWindow = make_window(fake_backend)
    await started(window)
    label = window.users_tab.count_label
    assert label.text() == "about 1,000,000 users"
    assert "estimate" in label.toolTip()
    loaded = emitted(window.users_tab.loaded)
    window.users_tab.search.setText("ana")
    await loaded
    assert label.text() == "1 user"  # filtered counts are exact
    assert label.toolTip() == ""


async def test_the_window_stays_responsive_while_a_query_runs(
    fake_backend: Backend, make_window: Any, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    await _people(fake_backend, "Ana García")
    window: MainWindow = make_window(fake_backend)
    await started(window)
    release = asyncio.Event()
    real_list = fake_backend.users.list

    async def slow_list(*args: Any) -> Any:
        await release.wait()
        return await real_list(*args)

    monkeypatch.setattr(fake_backend.users, "list", slow_list)
    loaded = emitted(window.users_tab.loaded)
    window.users_tab.reload()
    await until(lambda: window.users_tab.busy.isVisible(), what="the busy bar")
    qtbot.keyClicks(window.tokens_tab.search, "still typing")  # the loop is free
    assert window.tokens_tab.search.text() == "still typing"
    ended = emitted(window.users_tab.tasks.working_changed)
    release.set()
    await loaded
    # `loaded` is the load's last line; the runner hears that the load is over one loop
    # turn later (a task's done callback), and since Python 3.12 `await loaded` resumes
    # before that turn. The bar goes when the work ends, before anything is painted.
    assert await ended == (False,)
    assert not window.users_tab.busy.isVisible()


async def test_the_events_list_can_show_only_clashing_events(
    fake_backend: Backend, make_window: Any
) -> None:
    (ana,) = await _people(fake_backend, "Ana García")
    for title, start, hours in (("a", 1, 2), ("b", 2, 2), ("alone", 10, 1), ("touching", 4, 1)):
        await fake_backend.events.create(
            EventDraft(
                owner_id=ana.id,
                title=title,
                starts_at=later(1) + timedelta(hours=start),
                ends_at=later(1) + timedelta(hours=start + hours),
            )
        )
    window: MainWindow = make_window(fake_backend)
    await started(window)
    tab = window.events_tab
    assert len(tab.model.rows) == 4
    loaded = emitted(tab.loaded)
    tab.clashing.setChecked(True)
    await loaded
    assert [e.title for e in tab.model.rows] == ["a", "b"]
    assert tab.count_label.text() == "2 events"


async def test_a_fresh_window_takes_its_tabs_shortcuts_without_a_click(
    fake_backend: Backend, make_window: Any, qtbot: QtBot
) -> None:
    window: MainWindow = make_window(fake_backend)
    await started(window)
    window.activateWindow()
    await until(lambda: QApplication.focusWidget() is not None, what="focus somewhere")
    assert QApplication.focusWidget() is window.users_tab.view

    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)

    dialog = await modal(UserDialog)
    dialog.reject()
    window.activateWindow()
    window.tabs.tabBar().setFocus()  # switching tabs from the tab bar lands in the table too
    await until(lambda: QApplication.focusWidget() is window.tabs.tabBar(), what="the tab bar")
    window.tabs.setCurrentWidget(window.tokens_tab)
    assert QApplication.focusWidget() is window.tokens_tab.view
