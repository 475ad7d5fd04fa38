"""New user, or edit one."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLineEdit,
    QWidget,
)

from app.domain.changes import Entity
from app.domain.errors import Conflict
from app.domain.users import Role, User, UserDraft, UserPatch
from app.services.users import UserService
from ui.dialogs.conflict import USER_VIEW, deleted_text, settle
from ui.dialogs.form import RecordDialog
from ui.format import ROLE_LABELS


class UserDialog(RecordDialog):
    """New user, or edit one."""

    def __init__(self, users: UserService, user: User | None, parent: QWidget | None) -> None:
        super().__init__("user_dialog", "Edit user" if user else "New user", parent)
        self._users = users
        self._user = user
        if user is not None:
            self.deleted_text = deleted_text("user")
            self.editing = (Entity.USER, user.id)
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
