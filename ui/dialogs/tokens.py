"""Token dialogs: issue, extend one or many, and the secret shown once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.changes import Entity
from app.domain.clock import Clock
from app.domain.errors import InvalidInput
from app.domain.tokens import DEFAULT_LIFETIME, BulkResult, IssuedToken, Token, TokenRequest
from app.domain.users import User
from app.services.tokens import TokenService
from ui.dialogs.datetimes import from_qt, time_edit, to_qt
from ui.dialogs.form import RecordDialog
from ui.dialogs.owner_picker import OwnerPicker, Search
from ui.format import plural

CLIPBOARD_SECONDS = 60


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
        self.expires = time_edit()
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

    def saved_row(self) -> Token:
        return self.saved.token  # type: ignore[no-any-return]

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
        self.editing = (Entity.TOKEN, token.id)
        self.expires = time_edit()
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
        title = plural(len(selection), "Extend {n} token", "Extend {n} tokens")
        super().__init__("bulk_extend_dialog", title, parent)
        self._tokens = tokens
        self._selection = list(selection)
        self.expires = time_edit()
        latest = max(t.expires_at for t in selection)
        self.expires.setDateTime(to_qt(max(latest, datetime.now(UTC)) + timedelta(30)))
        self.add_field(
            "expires_at",
            "New expiry",
            self.expires,
            "Revoked tokens and tokens that already expire later are left alone.",
        )

    def saved_row(self) -> None:
        return None  # several rows: the selection stays as it is

    async def save(self) -> BulkResult[Token]:
        return await self._tokens.extend_many(self._selection, from_qt(self.expires.dateTime()))


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
