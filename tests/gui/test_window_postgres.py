"""The window end to end on a real PostgreSQL database of the test's own."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMessageBox

from app.domain.events import EventDraft
from app.domain.tokens import TokenRequest
from app.domain.users import UserDraft
from tests.gui.conftest import Backend
from tests.gui.helpers import emitted, later, modal, press, started, until
from ui.dialogs.users import UserDialog
from ui.window import MainWindow


async def test_create_edit_and_delete_a_user_through_the_window(
    real_backend: Backend, make_window: Any
) -> None:
    window: MainWindow = make_window(real_backend)
    await started(window, within=20)
    tab = window.users_tab

    tab.new_action.trigger()
    dialog = await modal(UserDialog)
    dialog.email.setText("minjun.kim@example.org")
    dialog.display_name.setText("김민준")
    dialog.save_button.click()
    # The row itself, not the next 'loaded': a reload begun earlier may announce first.
    await until(lambda: [u.email for u in tab.model.rows] == ["minjun.kim@example.org"])
    stored = await real_backend.scalar(
        "SELECT display_name FROM users WHERE email = :e", e="minjun.kim@example.org"
    )
    assert stored == "김민준"

    tab.view.selectRow(0)
    tab.edit_action.trigger()
    dialog = await modal(UserDialog)
    dialog.display_name.setText("Kim Min-jun 김민준")
    dialog.save_button.click()
    await until(lambda: not dialog.isVisible(), what="the edit dialog to close")
    assert tab.model.rows[0].display_name == "Kim Min-jun 김민준"
    version = await real_backend.scalar("SELECT version FROM users")
    assert version == 2

    user = tab.model.rows[0]
    for n in range(2):
        await real_backend.tokens.issue(
            TokenRequest(owner_id=user.id, name=f"t{n}", expires_at=later(10))
        )
    await real_backend.events.create(
        EventDraft(owner_id=user.id, title="e", starts_at=later(1), ends_at=later(1))
    )
    tab.view.selectRow(0)
    tab.delete_action.trigger()
    box = await modal(QMessageBox, "confirm_dialog")
    assert box.informativeText() == "Deleted with this user: 2 tokens and 1 event."
    press(box, "confirm_yes")
    await until(lambda: not tab.model.rows, what="the row to go")
    for table in ("users", "tokens", "events"):
        assert await real_backend.scalar(f"SELECT count(*) FROM {table}") == 0  # noqa: S608


async def test_duplicate_email_shows_at_the_field_and_writes_nothing(
    real_backend: Backend, make_window: Any
) -> None:
    await real_backend.users.create(UserDraft(email="ana@example.org", display_name="Ana"))
    window: MainWindow = make_window(real_backend)
    await started(window, within=20)
    window.users_tab.new_action.trigger()
    dialog = await modal(UserDialog)
    dialog.email.setText("Ana@Example.ORG")
    dialog.display_name.setText("Ana again")
    dialog.save_button.click()
    await until(lambda: dialog.error_at("email"), what="an error at the email field")
    assert dialog.error_at("email") == "Another user already has this email."
    assert await real_backend.scalar("SELECT count(*) FROM users") == 1


async def test_paging_through_thousands_of_rows_loads_each_once_in_order(
    real_backend: Backend, make_window: Any
) -> None:
    await real_backend.scalar(
        "INSERT INTO users (email, display_name) "
        "SELECT format('user%s@example.org', lpad(g::text, 5, '0')), format('User %s', g) "
        "FROM generate_series(1, 2500) AS g RETURNING 1"
    )
    window: MainWindow = make_window(real_backend)
    await started(window, within=20)
    tab = window.users_tab
    assert len(tab.model.rows) == 200
    assert tab.count_label.text() == "2,500 users"
    while tab.model.has_more:
        loaded = emitted(tab.loaded)
        tab.view.scrollToBottom()
        await loaded
    emails = [u.email for u in tab.model.rows]
    assert emails == [f"user{n:05d}@example.org" for n in range(1, 2501)]


async def test_an_idle_window_holds_one_working_connection_and_its_listener(
    real_backend: Backend, make_window: Any
) -> None:
    for n in range(30):
        await real_backend.users.create(UserDraft(email=f"u{n}@example.org", display_name="U"))
    window: MainWindow = make_window(real_backend)
    await started(window, within=20)  # three tabs loaded side by side, counts and chart too
    for tab in window.record_tabs:
        window.tabs.setCurrentWidget(tab)
        tab.reload()
    await until(lambda: not any(t.tasks.busy for t in window.record_tabs), what="idle")

    held = await real_backend.scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
    )

    assert held <= 2  # the pool's one (asking this) and the change log's listener
