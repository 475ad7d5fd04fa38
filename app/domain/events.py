"""Calendar events of the scheduling service's users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.domain.errors import InvalidInput
from app.domain.validation import Input, OptionalText, RequiredText, UtcDatetime

TITLE_MAX = 200
# Each has an index (the field, then id), so a sorted page is as fast deep in the table.
SORTS = frozenset({"id", "title", "starts_at"})
LOCATION_MAX = 500
DESCRIPTION_MAX = 10_000


class EventDraft(Input):
    """An event about to be created (or an event's full new state before an update)."""

    owner_id: int = Field(gt=0)
    title: RequiredText = Field(max_length=TITLE_MAX)
    description: OptionalText = Field(default="", max_length=DESCRIPTION_MAX)
    location: OptionalText = Field(default="", max_length=LOCATION_MAX)
    starts_at: UtcDatetime
    ends_at: UtcDatetime
    all_day: bool = False

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.ends_at < self.starts_at:
            raise InvalidInput({"ends_at": "The event cannot end before it starts."})
        return self


class EventPatch(Input):
    """Changes to an event; fields left unset keep their value."""

    owner_id: int | None = Field(default=None, gt=0)
    title: RequiredText | None = Field(default=None, max_length=TITLE_MAX)
    description: OptionalText | None = Field(default=None, max_length=DESCRIPTION_MAX)
    location: OptionalText | None = Field(default=None, max_length=LOCATION_MAX)
    starts_at: UtcDatetime | None = None
    ends_at: UtcDatetime | None = None
    all_day: bool | None = None


class Event(BaseModel):
    """A stored event."""

    model_config = ConfigDict(frozen=True)

    id: int
    owner_id: int
    title: str
    description: str
    location: str
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    created_at: datetime
    updated_at: datetime
    version: int

    def as_draft(self) -> EventDraft:
        """The event's editable fields, for merging a patch and validating the result."""
        return EventDraft(
            owner_id=self.owner_id,
            title=self.title,
            description=self.description,
            location=self.location,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            all_day=self.all_day,
        )


@dataclass(frozen=True, slots=True)
class EventFilter:
    """What the Events list shows: an owner, text, and a time range that events touch."""

    owner_id: int | None = None
    search: str | None = None
    starts_before: datetime | None = None
    ends_after: datetime | None = None
