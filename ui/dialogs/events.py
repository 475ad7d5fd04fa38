"""New event, or edit one: owner, title, when, and the clashes it makes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)

from app.domain.changes import Entity
from app.domain.clock import Clock
from app.domain.errors import Conflict, DomainError, InvalidInput
from app.domain.events import Event, EventDraft, EventPatch, utc_midnight
from app.domain.users import User
from app.services.events import EventService
from ui.dialogs.asyncdialog import shown
from ui.dialogs.conflict import deleted_text, event_view, settle
from ui.dialogs.datetimes import from_qt, local_midnight, time_edit, to_qt
from ui.dialogs.form import RecordDialog, field_errors
from ui.dialogs.owner_picker import OwnerPicker, Search
from ui.format import plural

Lookup = Callable[[Collection[int]], Awaitable[Sequence[User]]]


@dataclass(frozen=True, slots=True)
class EventDialogContext:
    """What every event dialog a tab opens shares; only the event, owner and start vary.

    ``lookup`` finds users by id, to name an owner someone else chose meanwhile.
    """

    events: EventService
    search: Search
    clock: Clock
    lookup: Lookup | None = None


class EventDialog(RecordDialog):
    """New event, or edit one. Times are entered in the computer's time zone."""

    def __init__(
        self,
        context: EventDialogContext,
        event: Event | None = None,
        owner: User | None = None,
        *,
        start: datetime | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("event_dialog", "Edit event" if event else "New event", parent)
        self._events = context.events
        self._event = event
        self._lookup = context.lookup
        self._owner = owner
        if event is not None:
            self.editing = (Entity.EVENT, event.id)
            self.deleted_text = deleted_text("event")
        self.owner = OwnerPicker(context.search)
        self.owner.set_user(owner)
        self.title = QLineEdit(event.title if event else "")
        self.location = QLineEdit(event.location if event else "")
        start, end = _shown_times(event, start or _next_hour(context.clock()))
        self.starts = time_edit()
        self.starts.setDateTime(to_qt(start))
        self.ends = time_edit()
        self.ends.setDateTime(to_qt(end))
        self.all_day = QCheckBox("All day")
        self.all_day.toggled.connect(self._all_day_toggled)
        self.all_day.setChecked(event.all_day if event else False)
        self.description = QPlainTextEdit(event.description if event else "")
        self.description.setMaximumHeight(90)
        self.add_field("owner_id", "Owner", self.owner)
        self.add_field("title", "Title", self.title)
        self.add_field("location", "Location", self.location)
        self.add_field("starts_at", "Starts", self.starts)
        self.add_field("ends_at", "Ends", self.ends)
        self.add_field("all_day", "", self.all_day)
        self.add_field("description", "Description", self.description)

    def _all_day_toggled(self, all_day: bool) -> None:
        zone = datetime.now().astimezone().tzname()
        shown_as = "yyyy-MM-dd" if all_day else f"yyyy-MM-dd HH:mm '{zone}'"
        for edit in (self.starts, self.ends):
            edit.setDisplayFormat(shown_as)

    def _values(self) -> dict[str, Any]:
        starts, ends = from_qt(self.starts.dateTime()), from_qt(self.ends.dateTime())
        if self.all_day.isChecked():
            # The dates as picked here, stored as floating dates (UTC midnights).
            first = starts.astimezone().date()
            last = max(first, ends.astimezone().date())
            starts, ends = utc_midnight(first), utc_midnight(last + timedelta(days=1))
        return {
            "owner_id": self.owner.user.id if self.owner.user else None,
            "title": self.title.text(),
            "location": self.location.text(),
            "starts_at": starts,
            "ends_at": ends,
            "all_day": self.all_day.isChecked(),
            "description": self.description.toPlainText(),
        }

    async def _save(self) -> None:
        # Warn of clashes first; only "Save anyway" goes on to save.
        self.save_button.setEnabled(False)
        try:
            go_on = await self._no_clash_or_accepted()
        except DomainError as error:
            self.show_errors(field_errors(error))
            return
        finally:
            self.save_button.setEnabled(True)
        if go_on:
            await super()._save()

    async def _no_clash_or_accepted(self) -> bool:
        values = self._values()
        if values["owner_id"] is None or values["ends_at"] <= values["starts_at"]:
            return True  # save() reports what is wrong
        clashes = await self._events.overlapping(
            values["owner_id"],
            values["starts_at"],
            values["ends_at"],
            self._event.id if self._event else None,
        )
        if not clashes:
            return True
        box = QMessageBox(self)
        box.setObjectName("clash_dialog")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Events overlap")
        title = values["title"].strip() or "This event"
        box.setText(
            plural(
                len(clashes),
                "“{title}” overlaps this owner's event:",
                "“{title}” overlaps {n} of this owner's events:",
            ).replace("{title}", title)
        )
        box.setInformativeText("\n".join(f"• {_when(e)}" for e in clashes[:10]))
        save = box.addButton("Save anyway", QMessageBox.ButtonRole.AcceptRole)
        save.setObjectName("clash_save")
        back = box.addButton("Go back", QMessageBox.ButtonRole.RejectRole)
        back.setObjectName("clash_back")
        box.setDefaultButton(back)
        await shown(box)
        box.deleteLater()
        return box.clickedButton() is save

    async def save(self) -> Event:
        values = self._values()
        if values["owner_id"] is None:
            raise InvalidInput({"owner_id": "Choose whose calendar the event is in."})
        if self._event is None:
            return await self._events.create(EventDraft(**values))
        current = self._event
        changed = {k: v for k, v in values.items() if v != getattr(current, k)}
        return await self._events.update(current.id, current.version, EventPatch(**changed))

    async def resolve_conflict(self, error: Conflict) -> Event | None:
        if (event := self._event) is None:
            raise error
        owners = [self._owner, self.owner.user]

        async def get(ident: int) -> Event:
            theirs = await self._events.get(ident)
            if self._lookup and theirs.owner_id not in {u.id for u in owners if u}:
                owners.extend(await self._lookup([theirs.owner_id]))  # to name it
            return theirs

        view = event_view(owners)
        return await settle(self, view, event, self._values(), get, self._events.update, EventPatch)


def _when(event: Event) -> str:
    start, end = event.starts_at.astimezone(), event.ends_at.astimezone()
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%a %-d %b %H:%M}"
    return f"{event.title} — {start:%a %-d %b %H:%M}–{until}"


def _shown_times(event: Event | None, start: datetime) -> tuple[datetime, datetime]:
    """The start and end the form opens on: the event's, or an hour from ``start``."""
    if event is None:
        return start, start + timedelta(hours=1)
    if event.first_day and event.last_day:
        # All-day events are dates: show them on those dates, whatever the zone.
        return local_midnight(event.first_day), local_midnight(event.last_day)
    return event.starts_at, event.ends_at


def _next_hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
