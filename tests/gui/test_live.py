"""Live views: what another client, psql and the passing of time change shows without F5."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.domain.events import EventDraft
from app.domain.tokens import QuickFilter, TokenRequest
from app.domain.users import User, UserDraft, UserPatch
from app.services.events import EventService
from app.services.tokens import TokenService
from app.services.users import UserService
from tests.clock import FrozenClock
from tests.fake_changes import FakeChangeLog
from tests.fakes import FakeUnitOfWorkFactory
from tests.gui.conftest import Backend
from tests.gui.helpers import later, modal, started, until
from ui.dialogs.users import UserDialog
from ui.live import NO_LISTEN
from ui.window import MainWindow


async def _kim_with_things(backend: Backend) -> User:
    kim = await backend.users.create(UserDraft(email="kim@example.org", display_name="Kim"))
    await backend.users.create(UserDraft(email="lee@example.org", display_name="Lee"))
    for n, days in enumerate((3, 30)):
        request = TokenRequest(owner_id=kim.id, name=f"ci {n}", expires_at=later(days))
        await backend.tokens.issue(request)
    draft = EventDraft(owner_id=kim.id, title="Stand-up", starts_at=later(1), ends_at=later(1))
    await backend.events.create(draft)
    return kim


def _other_client(db: FakeUnitOfWorkFactory, clock: FrozenClock) -> tuple[Any, Any, Any]:
    """Services of a second Tessera on the same database."""
    return UserService(db, clock), TokenService(db, clock), EventService(db, clock)


def _names(window: MainWindow) -> list[str]:
    return [u.display_name for u in window.users_tab.model.rows]


async def test_an_edit_by_another_client_is_patched_in_place_in_every_tab(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, clock: FrozenClock, make_window: Any
) -> None:
    kim = await _kim_with_things(fake_backend)
    window: MainWindow = make_window(fake_backend)
    await started(window)
    window.users_tab.view.selectRow(0)
    users, _, _ = _other_client(fake_db, clock)

    await users.update(kim.id, kim.version, UserPatch(display_name="Kim Lee"))

    await until(lambda: _names(window) == ["Kim Lee", "Lee"], what="the renamed row")
    assert window.users_tab.view.selectionModel().isRowSelected(0)  # selection kept
    tokens = window.tokens_tab.model
    owner = tokens.column_named("owner")
    await until(lambda: tokens.index(0, owner).data() == "Kim Lee", what="the owner's new name")


async def test_deleting_a_user_elsewhere_removes_its_tokens_and_events_everywhere(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, clock: FrozenClock, make_window: Any
) -> None:
    kim = await _kim_with_things(fake_backend)
    window: MainWindow = make_window(fake_backend)
    await started(window)
    assert window.tokens_tab.counts[QuickFilter.EXPIRING] == 1
    users, _, _ = _other_client(fake_db, clock)

    await users.delete_many([kim])

    await until(lambda: _names(window) == ["Lee"], what="the user gone")
    await until(lambda: window.tokens_tab.model.rowCount() == 0, what="its tokens gone")
    await until(lambda: window.events_tab.model.rowCount() == 0, what="its events gone")
    await until(lambda: window.tokens_tab.counts[QuickFilter.EXPIRING] == 0, what="counts")
    assert window.tokens_tab.count_label.text() == "0 tokens"
    assert window.tabs.tabText(window.tabs.indexOf(window.tokens_tab)) == "&Tokens"


async def test_a_record_added_elsewhere_is_offered_and_shown_on_request(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, clock: FrozenClock, make_window: Any
) -> None:
    await _kim_with_things(fake_backend)
    window: MainWindow = make_window(fake_backend)
    await started(window)
    users, _, _ = _other_client(fake_db, clock)

    await users.create(UserDraft(email="ana@example.org", display_name="Ana"))

    bar = window.users_tab.fresh
    await until(lambda: bar.isVisible(), what="the offer")
    assert bar.text.text() == "1 user added since this list was loaded."
    assert _names(window) == ["Kim", "Lee"]  # nothing pushed into the list
    assert window.users_tab.count_label.text() == "3 users"
    bar.button.click()
    await until(lambda: _names(window) == ["Ana", "Kim", "Lee"], what="the new row")
    assert not bar.isVisible()


async def test_a_token_revoked_elsewhere_changes_the_row_counts_and_attention_column(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, clock: FrozenClock, make_window: Any
) -> None:
    await _kim_with_things(fake_backend)
    window: MainWindow = make_window(fake_backend)
    await started(window)
    attention = window.users_tab.model.column_named("tokens")
    assert window.users_tab.model.index(0, attention).data() == "1 expiring soon"
    _, tokens, _ = _other_client(fake_db, clock)
    soon = [t for t in window.tokens_tab.model.rows if t.expires_at == later(3)]

    await tokens.revoke_many(soon)

    tab = window.tokens_tab
    await until(lambda: tab.counts.get(QuickFilter.REVOKED) == 1, what="the revoked count")
    assert tab.counts[QuickFilter.EXPIRING] == 0
    status = tab.model.column_named("status")
    await until(lambda: tab.model.index(0, status).data().endswith("Revoked"), what="the row")
    await until(
        lambda: window.users_tab.model.index(0, attention).data() == "",
        what="the attention column cleared",
    )


async def test_counts_change_at_the_moment_a_token_expires(
    fake_backend: Backend, clock: FrozenClock, make_window: Any
) -> None:
    await _kim_with_things(fake_backend)  # tokens in 3 and 30 days; soon is 7 days
    window: MainWindow = make_window(fake_backend)
    await started(window)
    tab = window.tokens_tab
    assert tab.counts[QuickFilter.EXPIRING] == 1
    assert window.tabs.tabText(window.tabs.indexOf(tab)) == "&Tokens (1)"
    # The timer aims at the next line a token crosses (the 3-day one expiring), a day ahead
    # at most; it fires then, without polling.
    assert tab.boundary.isActive()
    assert tab.boundary.remainingTime() > 23 * 3600 * 1000

    clock.advance(timedelta(days=3, seconds=1))
    tab.boundary.timeout.emit()

    await until(lambda: tab.counts[QuickFilter.EXPIRED] == 1, what="the token expired")
    assert tab.counts[QuickFilter.EXPIRING] == 0
    assert window.tabs.tabText(window.tabs.indexOf(tab)) == "&Tokens"


async def test_without_notifications_the_log_is_polled_and_the_status_bar_says_so(
    fake_backend: Backend,
    fake_db: FakeUnitOfWorkFactory,
    fake_log: FakeChangeLog,
    clock: FrozenClock,
    make_window: Any,
) -> None:
    fake_log.listening = False  # a pooler in transaction mode cannot LISTEN
    kim = await _kim_with_things(fake_backend)
    window: MainWindow = make_window(fake_backend)
    await started(window)
    await until(lambda: window.statusBar().currentMessage() == NO_LISTEN, what="the notice")
    users, _, _ = _other_client(fake_db, clock)

    await users.update(kim.id, kim.version, UserPatch(display_name="Polled"))

    await until(lambda: "Polled" in _names(window), within=5, what="the polled change")


async def test_a_psql_update_shows_in_the_window_on_postgresql(
    real_backend: Backend, make_window: Any
) -> None:
    kim = await real_backend.users.create(UserDraft(email="kim@example.org", display_name="Kim"))
    window: MainWindow = make_window(real_backend)
    await started(window)
    assert window.live.listening

    # Another program, knowing nothing of Tessera's versions.
    await real_backend.scalar(
        "UPDATE users SET display_name = 'From psql' WHERE id = :i RETURNING id", i=kim.id
    )

    await until(lambda: _names(window) == ["From psql"], what="the psql change")
    [row] = window.users_tab.model.rows
    assert row.version == 2  # bumped by the database, so an open editor meets a conflict


async def test_an_open_edit_dialog_says_when_its_record_changes_elsewhere(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, clock: FrozenClock, make_window: Any
) -> None:
    kim = await _kim_with_things(fake_backend)
    window: MainWindow = make_window(fake_backend)
    await started(window)
    tab = window.users_tab
    tab.view.selectRow(0)
    tab.edit_action.trigger()
    dialog = await modal(UserDialog, "user_dialog")
    assert not dialog.changed_note.isVisible()
    users, _, _ = _other_client(fake_db, clock)

    await users.update(kim.id, kim.version, UserPatch(display_name="Kim Lee"))

    await until(lambda: dialog.changed_note.isVisible(), what="the notice")
    assert dialog.changed_note.text().startswith("Changed by tester (tessera) at ")
    assert "Save shows what changed" in dialog.changed_note.text()
    dialog.reject()


async def test_after_the_listening_line_drops_the_window_listens_again_and_misses_nothing(
    real_backend: Backend, make_window: Any
) -> None:
    kim = await real_backend.users.create(UserDraft(email="kim@example.org", display_name="Kim"))
    window: MainWindow = make_window(real_backend)
    await started(window)
    assert window.live.listening

    await real_backend.scalar(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE query LIKE 'LISTEN%' AND datname = current_database()"
    )
    await real_backend.scalar(  # written while the line is down
        "UPDATE users SET display_name = 'Meanwhile' WHERE id = :i RETURNING id", i=kim.id
    )

    await until(lambda: _names(window) == ["Meanwhile"], what="the change made meanwhile")
    await until(lambda: window.live.listening, what="listening again")
