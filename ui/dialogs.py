"""The edit dialogs: user, token (issue and extend), event, and the one-time secret."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import QDateTime, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.clock import Clock
from app.domain.errors import Conflict, DomainError, InvalidInput
from app.domain.events import Event, EventDraft, EventPatch, utc_midnight
from app.domain.tokens import DEFAULT_LIFETIME, BulkResult, IssuedToken, Token, TokenRequest
from app.domain.users import Role, User, UserDraft, UserPatch
from app.services.events import EventService
from app.services.tokens import TokenService
from app.services.users import UserService
from ui.asyncdialog import shown
from ui.columns import ROLE_LABELS
from ui.conflict_dialog import USER_VIEW, deleted_text, event_view, settle
from ui.forms import RecordDialog, field_errors
from ui.owner_picker import OwnerPicker, Search

CLIPBOARD_SECONDS = 60
Lookup = Callable[[Collection[int]], Awaitable[Sequence[User]]]


def to_qt(moment: datetime) -> QDateTime:
    """An aware datetime as a QDateTime (shown in local time)."""
    return QDateTime.fromMSecsSinceEpoch(int(moment.timestamp() * 1000))


def from_qt(value: QDateTime) -> datetime:
    """A QDateTime as an aware UTC datetime."""
    return datetime.fromtimestamp(value.toMSecsSinceEpoch() / 1000, UTC)


def _time_edit() -> QDateTimeEdit:
    edit = QDateTimeEdit()
    edit.setCalendarPopup(True)
    zone = datetime.now().astimezone().tzname()
    edit.setDisplayFormat(f"yyyy-MM-dd HH:mm '{zone}'")
    return edit


class UserDialog(RecordDialog):
    """New user, or edit one."""

    def __init__(self, users: UserService, user: User | None, parent: QWidget | None) -> None:
        super().__init__("user_dialog", "Edit user" if user else "New user", parent)
        self._users = users
        self._user = user
        if user is not None:
            self.deleted_text = deleted_text("user")
        self.email = QLineEdit(user.email if user else "")
        self.email.setPlaceholderText("name@example.org")
        self.display_name = QLineEdit(user.display_name if user else "")
        self.role = QComboBox()
        for role, label in ROLE_LABELS.items():
            self.role.addItem(label, role)
        self.role.setCurrentIndex(self.role.findData(user.role if user else Role.MEMBER))
        self.active = QCheckBox("May sign in")
        self.active.setChecked(user.is_active if user else True)
        self.add_field("email", "Email", self.email, "Unique, whatever the case of its letters.")
        self.add_field("display_name", "Name", self.display_name)
        self.add_field("role", "Role", self.role)
        self.add_field("is_active", "Active", self.active)

    def _values(self) -> dict[str, Any]:
        return {
            "email": self.email.text(),
            "display_name": self.display_name.text(),
            "role": self.role.currentData(),
            "is_active": self.active.isChecked(),
        }

    async def save(self) -> User:
        values = self._values()
        if self._user is None:
            return await self._users.create(UserDraft(**values))
        current = self._user
        changed = {k: v for k, v in values.items() if v != getattr(current, k)}
        return await self._users.update(current.id, current.version, UserPatch(**changed))

    async def resolve_conflict(self, error: Conflict) -> User | None:
        if (user := self._user) is None:
            raise error
        get, update = self._users.get, self._users.update
        return await settle(self, USER_VIEW, user, self._values(), get, update, UserPatch)


class TokenDialog(RecordDialog):
    """Issue a token: owner, name, scopes, expiry."""

    def __init__(
        self,
        tokens: TokenService,
        search: Search,
        clock: Clock,
        owner: User | None,
        parent: QWidget | None,
    ) -> None:
        super().__init__("token_dialog", "Issue token", parent)
        self._tokens = tokens
        self._clock = clock
        self.owner = OwnerPicker(search)
        self.owner.set_user(owner)
        self.name = QLineEdit()
        self.name.setPlaceholderText("What the token is for, e.g. “CI deploy”")
        self.scopes = QLineEdit()
        self.scopes.setPlaceholderText("read, write")
        self.expires = _time_edit()
        presets = QWidget()
        row = QHBoxLayout(presets)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.expires, 1)
        for days in (7, 30, 90):
            button = QPushButton(f"{days} days")
            button.setObjectName(f"token_dialog_preset_{days}")
            button.clicked.connect(lambda _=False, d=days: self.set_lifetime(timedelta(days=d)))
            row.addWidget(button)
        self.set_lifetime(DEFAULT_LIFETIME)
        self.add_field("owner_id", "Owner", self.owner)
        self.add_field("name", "Name", self.name)
        self.add_field("scopes", "Scopes", self.scopes, "Separate scopes with commas.")
        self.add_field("expires_at", "Expires", presets, "At most 365 days from now.")

    def set_lifetime(self, lifetime: timedelta) -> None:
        """Expire ``lifetime`` from now."""
        self.expires.setDateTime(to_qt(self._clock() + lifetime))

    async def save(self) -> IssuedToken:
        if self.owner.user is None:
            raise InvalidInput({"owner_id": "Choose the user the token is for."})
        scopes = tuple(s for s in (p.strip() for p in self.scopes.text().split(",")) if s)
        request = TokenRequest(
            owner_id=self.owner.user.id,
            name=self.name.text(),
            scopes=scopes,
            expires_at=from_qt(self.expires.dateTime()),
        )
        return await self._tokens.issue(request)


class ExtendDialog(RecordDialog):
    """Move a token's expiry later."""

    def __init__(self, tokens: TokenService, token: Token, parent: QWidget | None) -> None:
        super().__init__("extend_dialog", f"Extend “{token.name}”", parent)
        self._tokens = tokens
        self._token = token
        self.expires = _time_edit()
        self.expires.setDateTime(to_qt(max(token.expires_at, datetime.now(UTC)) + timedelta(30)))
        self.add_field("expires_at", "New expiry", self.expires, "At most 365 days from now.")

    async def save(self) -> Token:
        token = self._token
        return await self._tokens.extend(token.id, token.version, from_qt(self.expires.dateTime()))


class BulkExtendDialog(RecordDialog):
    """Move the expiry of several tokens to one new time, asked once."""

    def __init__(
        self, tokens: TokenService, selection: Sequence[Token], parent: QWidget | None
    ) -> None:
        super().__init__("bulk_extend_dialog", f"Extend {len(selection)} tokens", parent)
        self._tokens = tokens
        self._selection = list(selection)
        self.expires = _time_edit()
        latest = max(t.expires_at for t in selection)
        self.expires.setDateTime(to_qt(max(latest, datetime.now(UTC)) + timedelta(30)))
        self.add_field(
            "expires_at",
            "New expiry",
            self.expires,
            "Revoked tokens and tokens that already expire later are left alone.",
        )

    async def save(self) -> BulkResult[Token]:
        return await self._tokens.extend_many(self._selection, from_qt(self.expires.dateTime()))


class EventDialog(RecordDialog):
    """New event, or edit one. Times are entered in the computer's time zone."""

    def __init__(
        self,
        events: EventService,
        search: Search,
        clock: Clock,
        event: Event | None,
        owner: User | None,
        parent: QWidget | None,
        start: datetime | None = None,
        lookup: Lookup | None = None,
    ) -> None:
        super().__init__("event_dialog", "Edit event" if event else "New event", parent)
        self._events = events
        self._event = event
        self._lookup = lookup  # users by id, to name an owner someone else chose meanwhile
        self._owner = owner
        if event is not None:
            self.deleted_text = deleted_text("event")
        self.owner = OwnerPicker(search)
        self.owner.set_user(owner)
        self.title = QLineEdit(event.title if event else "")
        self.location = QLineEdit(event.location if event else "")
        if event is not None:
            start = event.starts_at
        elif start is None:
            start = _next_hour(clock())
        end = event.ends_at if event else start + timedelta(hours=1)
        if event is not None and event.first_day and event.last_day:
            # All-day events are dates: show them on those dates, whatever the zone.
            start, end = _local_midnight(event.first_day), _local_midnight(event.last_day)
        self.starts = _time_edit()
        self.starts.setDateTime(to_qt(start))
        self.ends = _time_edit()
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
        who = (
            "this owner's event" if len(clashes) == 1 else f"{len(clashes)} of this owner's events"
        )
        box.setText(f"“{values['title'].strip() or 'This event'}” overlaps {who}:")
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


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time()).astimezone()


def _next_hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


class SecretDialog(QDialog):
    """Shows a new token's secret once, with a Copy button."""

    def __init__(self, issued: IssuedToken, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("secret_dialog")
        self.setWindowTitle("Token issued")
        self.setMinimumWidth(520)
        note = QLabel(
            f"This is the secret of “{issued.token.name}”. Copy it now: Tessera stores only "
            "its hash and cannot show it again."
        )
        note.setWordWrap(True)
        self.copied = QLabel()
        self.copied.setObjectName("secret_dialog_copied")
        self.secret = QLineEdit(issued.secret)
        self.secret.setObjectName("secret_dialog_secret")
        self.secret.setReadOnly(True)
        self.secret.selectAll()
        copy = QPushButton("Copy")
        copy.setObjectName("secret_dialog_copy")
        copy.clicked.connect(lambda: self.copy(issued.secret))
        row = QHBoxLayout()
        row.addWidget(self.secret, 1)
        row.addWidget(copy)
        done = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        done.rejected.connect(self.reject)
        done.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(row)
        layout.addWidget(self.copied)
        layout.addWidget(done, alignment=Qt.AlignmentFlag.AlignRight)

    def copy(self, secret: str) -> None:
        """Put the secret on the clipboard, and take it off again after a while."""
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(secret)

        def forget() -> None:
            if clipboard.text() == secret:  # never clear what the user copied since
                clipboard.clear()

        QTimer.singleShot(CLIPBOARD_SECONDS * 1000, forget)
        self.copied.setText(f"Copied. The clipboard forgets it in {CLIPBOARD_SECONDS} seconds.")
