"""The events calendar: geometry in fixed zones, DST, month cells, range loading, clashes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.domain.events import Event, EventDraft, EventFilter
from app.domain.users import User, UserDraft
from tests.clock import FrozenClock
from tests.fakes import FakeUnitOfWorkFactory
from tests.gui.conftest import Backend
from tests.gui.helpers import NOW, emitted, modal, press, until
from ui.calendar.view import CalendarPanel, CalendarView
from ui.dialogs.events import EventDialog
from ui.window import MainWindow

SEOUL = ZoneInfo("Asia/Seoul")
BERLIN = ZoneInfo("Europe/Berlin")


def _event(ident: int, start: datetime, end: datetime, title: str = "Standup") -> Event:
    return Event(
        id=ident,
        owner_id=1,
        title=title,
        description="",
        location="",
        starts_at=start.astimezone(UTC),
        ends_at=end.astimezone(UTC),
        all_day=False,
        created_at=NOW,
        updated_at=NOW,
        version=1,
    )


@pytest.fixture
def view(qtbot: QtBot, clock: FrozenClock) -> CalendarView:
    widget = CalendarView(clock, BERLIN)
    qtbot.addWidget(widget)
    widget.resize(764, 600)
    return widget


def _close(a: float, b: float) -> bool:
    return abs(a - b) < 0.01


@pytest.mark.parametrize("zone", [SEOUL, BERLIN], ids=["Seoul", "Berlin"])
def test_week_places_an_event_in_its_local_column_and_hours(
    qtbot: QtBot, clock: FrozenClock, zone: ZoneInfo
) -> None:
    view = CalendarView(clock, zone)
    qtbot.addWidget(view)
    view.resize(764, 600)
    view.set_date(date(2026, 11, 26))
    # Wednesday 25 Nov 2026, 10:30–12:00 local, stored in UTC.
    start = datetime(2026, 11, 25, 10, 30, tzinfo=zone)
    view.set_events([_event(7, start, start + timedelta(minutes=90))])
    rect = view.event_rect(7)
    assert rect is not None
    column = view.column_rect(2)  # Monday is 0
    assert column.left() <= rect.left()
    assert rect.right() <= column.right()
    assert _close(rect.top(), view.y_of(10.5))
    assert _close(rect.bottom(), view.y_of(12) - 1)
    assert view.days()[0] == date(2026, 11, 23)
    assert view.visible_range() == (
        datetime(2026, 11, 23, tzinfo=zone).astimezone(UTC),
        datetime(2026, 11, 30, tzinfo=zone).astimezone(UTC),
    )
    tip = view.tooltip(view.events[0])
    assert "10:30–12:00" in tip
    assert "UTC" in tip


def test_overlapping_events_sit_side_by_side(view: CalendarView) -> None:
    start = datetime(2026, 11, 24, 9, tzinfo=BERLIN)
    view.set_events(
        [
            _event(1, start, start + timedelta(hours=2), "Planning"),
            _event(2, start + timedelta(hours=1), start + timedelta(hours=3), "Review"),
            _event(3, start + timedelta(hours=4), start + timedelta(hours=5), "Alone"),
        ]
    )
    one, two, alone = (view.event_rect(n) for n in (1, 2, 3))
    assert one is not None
    assert two is not None
    assert alone is not None
    assert not one.intersects(two)
    column = view.column_rect(1)
    for rect in (one, two):
        assert column.left() <= rect.left()
        assert rect.right() <= column.right()
        assert rect.width() < column.width() / 2
    assert alone.width() > column.width() * 0.9  # nothing beside it: the whole column


def test_an_event_across_the_spring_dst_change(view: CalendarView) -> None:
    view.set_hours(0, 24)
    view.set_date(date(2026, 3, 29))
    # 01:00 CET to 05:00 CEST: four wall-clock hours, three real ones.
    start = datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    event = _event(9, start, start + timedelta(hours=3), "Night shift")
    view.set_events([event, _event(10, start + timedelta(hours=6), start + timedelta(hours=7))])
    rect = view.event_rect(9)
    later = view.event_rect(10)
    assert rect is not None
    assert later is not None
    assert view.column_rect(6).contains(rect.center())  # Sunday
    assert _close(rect.top(), view.y_of(1))
    assert _close(rect.height() + 1, 4 * view.hour_height())
    assert not rect.intersects(later)  # 08:00 CEST, below it
    assert _close(later.top(), view.y_of(8))
    tip = view.tooltip(event)
    assert "01:00–05:00 CET → CEST" in tip
    assert "(3 h)" in tip
    view.grab()  # paints the DST week without trouble


def test_month_lists_events_on_their_day_then_more(view: CalendarView) -> None:
    view.set_mode("month")
    view.set_date(date(2026, 11, 26))
    assert view.days()[0] == date(2026, 10, 26)
    day = datetime(2026, 11, 12, 8, tzinfo=BERLIN)
    events = [
        _event(n, day + timedelta(hours=n), day + timedelta(hours=n, minutes=30)) for n in range(5)
    ]
    view.set_events(events)
    cell = view.cell_rect(view.days().index(date(2026, 11, 12)))
    for n in range(3):
        rect = view.event_rect(n)
        assert rect is not None
        assert cell.contains(rect)
    assert view.event_rect(3) is None
    assert view.event_rect(4) is None
    slot = view.slot_at(cell.center())
    assert slot == datetime(2026, 11, 12, 9, tzinfo=BERLIN)
    assert view.title() == "November 2026"
    view.grab()


def test_double_click_asks_for_a_new_event_or_an_edit(view: CalendarView) -> None:
    start = datetime(2026, 11, 24, 9, tzinfo=BERLIN)
    view.set_events([_event(1, start, start + timedelta(hours=1))])
    created: list[datetime] = []
    edited: list[Event] = []
    view.create_requested.connect(created.append)
    view.edit_requested.connect(edited.append)
    rect = view.event_rect(1)
    assert rect is not None
    view.double_click(rect.center())
    column = view.column_rect(3)
    view.double_click(QPointF(column.center().x(), view.y_of(14.6)))
    assert [e.id for e in edited] == [1]
    assert created == [datetime(2026, 11, 26, 14, 30, tzinfo=BERLIN)]


def test_panel_navigates_by_week_and_month(qtbot: QtBot, clock: FrozenClock) -> None:
    panel = CalendarPanel(clock, BERLIN)
    qtbot.addWidget(panel)
    assert panel.title.text() == "Week of 23 Nov 2026"
    press(panel, "calendar_next")
    assert panel.anchor_date() == date(2026, 12, 3)
    panel.set_mode("month")
    press(panel, "calendar_prev")
    assert panel.title.text() == "November 2026"
    press(panel, "calendar_today")
    assert panel.anchor_date() == date(2026, 11, 26)


# The Events tab --------------------------------------------------------------------------


async def _owner(backend: Backend, name: str = "Ana García") -> User:
    return await backend.users.create(
        UserDraft(email=f"{name.split()[0].lower()}@example.org", display_name=name)
    )


async def _window(backend: Backend, make_window: Any) -> MainWindow:
    window: MainWindow = make_window(backend)
    window.show()
    ready = emitted(window.ready)
    window.start()
    await ready
    window.tabs.setCurrentWidget(window.events_tab)
    return window


def _spy(backend: Backend) -> list[EventFilter]:
    seen: list[EventFilter] = []
    original = backend.events.list

    async def listing(filter: EventFilter, page: Any) -> Any:
        seen.append(filter)
        return await original(filter, page)

    backend.events.list = listing  # type: ignore[method-assign]
    return seen


async def test_switching_views_keeps_date_and_owner_and_loads_only_the_range(
    fake_backend: Backend, make_window: Any
) -> None:
    ana = await _owner(fake_backend)
    bo = await _owner(fake_backend, "Bo Lindqvist")
    for user, day in ((ana, 1), (ana, 2), (bo, 1), (ana, 40)):
        start = NOW + timedelta(days=day)
        await fake_backend.events.create(
            EventDraft(
                owner_id=user.id,
                title=f"E{day}",
                starts_at=start,
                ends_at=start + timedelta(hours=1),
            )
        )
    window = await _window(fake_backend, make_window)
    tab = window.events_tab
    tab.set_owner(ana)
    await emitted(tab.loaded)
    seen = _spy(fake_backend)
    loaded = emitted(tab.calendar_loaded)
    press(tab, "events_view_week")
    await loaded
    start, end = tab.calendar.view.visible_range()
    assert seen == [EventFilter(owner_id=ana.id, ends_after=start, starts_before=end)]
    assert sorted(e.title for e in tab.calendar.view.events) == ["E1", "E2"]
    loaded = emitted(tab.calendar_loaded)
    press(tab.calendar, "calendar_next")
    await loaded
    assert tab.calendar.view.events == []
    assert seen[-1].ends_after == end
    moved = tab.calendar.anchor_date()
    loaded = emitted(tab.calendar_loaded)
    press(tab, "events_view_month")
    await loaded
    assert tab.calendar.anchor_date() == moved
    assert tab.view_mode == "month"
    assert tab.owner.user == ana
    assert seen[-1].owner_id == ana.id
    assert seen[-1].ends_after == tab.calendar.view.visible_range()[0]
    loaded = emitted(tab.loaded)
    press(tab, "events_view_list")
    await loaded
    assert tab.owner.user == ana
    assert tab.calendar.anchor_date() == moved
    assert len(tab.model.rows) == 3


async def test_double_click_on_a_slot_opens_the_dialog_at_that_time(
    fake_backend: Backend, make_window: Any
) -> None:
    await _owner(fake_backend)
    window = await _window(fake_backend, make_window)
    tab = window.events_tab
    loaded = emitted(tab.calendar_loaded)
    tab.set_view("week")
    await loaded
    at = datetime(2026, 11, 27, 15, 30).astimezone()
    tab.calendar.view.create_requested.emit(at)
    dialog = await modal(EventDialog)
    assert dialog.starts.dateTime().toSecsSinceEpoch() == int(at.timestamp())
    dialog.reject()


async def test_overlap_warning_go_back_writes_nothing_save_anyway_saves(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any
) -> None:
    ana = await _owner(fake_backend)
    start = NOW + timedelta(days=1)
    await fake_backend.events.create(
        EventDraft(
            owner_id=ana.id, title="Standup", starts_at=start, ends_at=start + timedelta(hours=1)
        )
    )
    window = await _window(fake_backend, make_window)
    tab = window.events_tab
    tab.set_owner(ana)
    await emitted(tab.loaded)
    loaded = emitted(tab.calendar_loaded)
    tab.set_view("week")
    await loaded
    tab.calendar.view.create_requested.emit(start + timedelta(minutes=30))
    dialog = await modal(EventDialog)
    dialog.title.setText("Review")
    dialog.save_button.click()
    box = await modal(QMessageBox, "clash_dialog")
    assert "Standup" in box.informativeText()
    press(box, "clash_back")
    await until(dialog.save_button.isEnabled)
    assert dialog.isVisible()
    assert len(fake_db.tables.events) == 1
    loaded = emitted(tab.calendar_loaded)
    dialog.save_button.click()
    box = await modal(QMessageBox, "clash_dialog")
    press(box, "clash_save")
    await loaded
    assert sorted(e.title for e in fake_db.tables.events.values()) == ["Review", "Standup"]
    assert sorted(e.title for e in tab.calendar.view.events) == ["Review", "Standup"]
    assert QApplication.activeModalWidget() is None
