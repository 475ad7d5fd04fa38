"""The Events tab's page object: events through the form, the week and the month."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtWidgets import QToolButton

from tessera.testing.driving import click, set_moment
from tessera.testing.forms import Clash
from tessera.testing.pages import TablePage
from ui.tabs.events import EventsTab


class EventsPage(TablePage):
    """The Events tab: list, week and month."""

    tab_name = "events"

    @property
    def events_tab(self) -> EventsTab:
        """The tab, typed."""
        tab = self.tab
        assert isinstance(tab, EventsTab)
        return tab

    async def create(
        self, *, expect_errors: bool = False, clash: Clash | None = None, **fields: Any
    ) -> Any:
        """New event from ``fields`` (``owner`` email, ``title``, ``starts_at``, ``ends_at``,
        ``location``, ``all_day``, ``description``); returns its row.

        ``clash`` answers an overlap warning (``"save"`` anyway, or go ``"back"``, which
        cancels the form and returns the warning's text); without it a warning fails.
        """
        form = await self.open_new()
        await form.fill(**fields)
        if clash == "back":
            await form.save(clash="back")
            warning = form.clash
            await form.cancel()
            return warning
        saved = await form.save(expect_errors=expect_errors, clash=clash)
        return saved if expect_errors else self.shown_as(saved)

    async def show_view(self, mode: str) -> None:
        """Switch to ``list``, ``week`` or ``month`` with the switcher's buttons."""
        await self.show()
        button = self.tab.findChild(QToolButton, f"events_view_{mode}")
        assert button is not None, f"no view {mode!r}"
        if not button.isChecked():
            click(self.driver.qtbot, button)
        await self.driver.idle()

    async def show_week(self, day: date | datetime) -> list[date]:
        """Show the week holding ``day`` (its date picker); returns the days shown."""
        await self.show_view("week")
        await self._go_to(day)
        return self.events_tab.calendar.view.days()

    async def show_month(self, day: date | datetime) -> list[date]:
        """Show the month holding ``day``; returns the days shown (six weeks)."""
        await self.show_view("month")
        await self._go_to(day)
        return self.events_tab.calendar.view.days()

    async def _go_to(self, day: date | datetime) -> None:
        set_moment(self.events_tab.calendar.picker, day)
        await self.driver.idle()

    async def events_on(self, day: date | datetime) -> list[str]:
        """Titles of the events the calendar shows on ``day`` (local dates), by start."""
        wanted = day.date() if isinstance(day, datetime) else day
        view = self.events_tab.calendar.view
        if self.events_tab.view_mode == "list" or wanted not in view.days():
            await self.show_week(wanted)
        await self.driver.idle()
        return [e.title for e in view.events if _touches(e.starts_at, e.ends_at, wanted)]


def _touches(starts: datetime, ends: datetime, day: date) -> bool:
    """Whether [starts, ends) has a moment on ``day`` in local time."""
    first, last = starts.astimezone().date(), ends.astimezone().date()
    return first <= day and (day < last or first == day)
