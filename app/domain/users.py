"""Users of the scheduling service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from app.domain.validation import Input, RequiredText

EMAIL_MAX = 320
# Each has an index (the field, then id), so a sorted page is as fast deep in the table.
SORTS = frozenset({"id", "email", "display_name", "created_at"})
DISPLAY_NAME_MAX = 200


class Role(StrEnum):
    """What a user may do in the scheduling service."""

    ADMINISTRATOR = "administrator"
    STAFF = "staff"
    MEMBER = "member"


class UserDraft(Input):
    """A user about to be created."""

    email: EmailStr = Field(max_length=EMAIL_MAX)
    display_name: RequiredText = Field(max_length=DISPLAY_NAME_MAX)
    role: Role = Role.MEMBER
    is_active: bool = True


class UserPatch(Input):
    """Changes to a user; fields left unset keep their value."""

    email: EmailStr | None = Field(default=None, max_length=EMAIL_MAX)
    display_name: RequiredText | None = Field(default=None, max_length=DISPLAY_NAME_MAX)
    role: Role | None = None
    is_active: bool | None = None


class User(BaseModel):
    """A stored user. Built by repositories from trusted rows, so not re-validated."""

    model_config = ConfigDict(frozen=True)

    id: int
    email: str
    display_name: str
    role: Role
    is_active: bool
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(frozen=True, slots=True)
class UserFilter:
    """What the Users list shows: text in email or name, a role, the active flag."""

    search: str | None = None
    role: Role | None = None
    is_active: bool | None = None


@dataclass(frozen=True, slots=True)
class DeleteImpact:
    """What goes with a user when it is deleted."""

    tokens: int
    events: int
