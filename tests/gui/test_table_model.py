"""The table models honour Qt's model contract and page as the tab tells them."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.domain.events import Event
from app.domain.tokens import DEFAULT_SOON, Token, TokenHealth
from app.domain.users import Role, User
from app.services.users import UserService
from tests.clock import FrozenClock
from tests.fakes import FakeUnitOfWorkFactory
from tests.gui.helpers import NOW
from ui.tabs.columns import event_columns, token_columns, user_columns
from ui.tabs.owners import OwnerDirectory
from ui.tabs.table_model import ROW_ROLE, RecordTableModel


def _user(n: int) -> User:
    return User(
        id=n,
        email=f"u{n}@example.org",
        display_name=f"User {n} 🧭",
        role=Role.MEMBER,
        is_active=n % 2 == 0,
        created_at=NOW,
        updated_at=NOW,
        version=1,
    )


def _token(n: int) -> Token:
    return Token(
        id=n,
        owner_id=1,
        name=f"token {n}",
        scopes=("read",),
        prefix="tsr_abcdefgh",
        secret_hash="0" * 64,
        created_at=NOW - timedelta(days=10),
        expires_at=NOW + timedelta(days=n - 3),
        last_used_at=None,
        revoked_at=NOW if n == 5 else None,
        version=1,
    )


def _event(n: int) -> Event:
    return Event(
        id=n,
        owner_id=1,
        title=f"Event {n}",
        description="",
        location="Room",
        starts_at=NOW + timedelta(hours=n),
        ends_at=NOW + timedelta(hours=n, minutes=45),
        all_day=n == 2,
        created_at=NOW,
        updated_at=NOW,
        version=1,
    )


def _no_health(user_id: int) -> TokenHealth | None:
    return None


def _owners() -> OwnerDirectory:
    return OwnerDirectory(UserService(FakeUnitOfWorkFactory(), FrozenClock(NOW)))


def test_models_pass_qt_model_tester(qtmodeltester: ModelTester) -> None:
    clock = FrozenClock(NOW)
    users = RecordTableModel(user_columns(_no_health))
    tokens = RecordTableModel(token_columns(clock, lambda: DEFAULT_SOON, _owners()))
    events = RecordTableModel(event_columns(_owners()))
    users.reset([_user(n) for n in range(1, 6)], has_more=True)
    tokens.reset([_token(n) for n in range(1, 8)], has_more=False)
    events.reset([_event(n) for n in range(1, 4)], has_more=True)
    for model in (users, tokens, events):
        qtmodeltester.check(model, force_py=True)
        model.append([], has_more=False)
        qtmodeltester.check(model, force_py=True)


def test_fetch_more_asks_once_until_the_page_arrives(qtbot: QtBot) -> None:
    model = RecordTableModel(user_columns(_no_health))
    model.reset([_user(1)], has_more=True)
    with qtbot.waitSignal(model.fetch_more_requested, timeout=1000):
        model.fetchMore()
    assert not model.canFetchMore()  # a second scroll must not ask again meanwhile
    model.append([_user(2), _user(3)], has_more=False)
    assert [u.id for u in model.rows] == [1, 2, 3]
    assert not model.canFetchMore()
    assert model.index(2, 0).data(ROW_ROLE).id == 3


def test_header_click_asks_the_server_to_sort(qtbot: QtBot) -> None:
    model = RecordTableModel(user_columns(_no_health))
    email = model.column_of("email")
    with qtbot.waitSignal(model.sort_requested, timeout=1000) as sorted_by:
        from PySide6.QtCore import Qt

        model.sort(email, Qt.SortOrder.DescendingOrder)
    assert sorted_by.args == ["email", True]


def test_token_status_text_follows_the_clock() -> None:
    clock = FrozenClock(NOW)
    model = RecordTableModel(token_columns(clock, lambda: DEFAULT_SOON, _owners()))
    model.reset([_token(20)], has_more=False)  # expires in 17 days
    status = model.column_of("expires_at")
    assert model.index(0, 1).data() == "Active"
    assert model.index(0, status).data().startswith("in 2 weeks")
    clock.advance(timedelta(days=12))
    assert model.index(0, 1).data() == "Expiring soon"
    clock.advance(timedelta(days=5))
    assert model.index(0, 1).data() == "Expired"


def test_replace_and_remove_rows_in_place(qtbot: QtBot) -> None:
    model = RecordTableModel(user_columns(_no_health))
    model.reset([_user(n) for n in range(1, 5)], has_more=False)
    renamed = _user(2).model_copy(update={"display_name": "Renamed"})
    with qtbot.waitSignal(model.dataChanged, timeout=1000):
        model.replace(renamed)
    assert model.row(1).display_name == "Renamed"
    model.remove({1, 3})
    assert [u.id for u in model.rows] == [2, 4]
