"""Calendar events of the scheduling service's users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.domain.errors import InvalidInput
from app.domain.validation import Input, OptionalText, RequiredText, UtcDatetime

TITLE_MAX = 200
# Each has an index (the field, then id), so a sorted page is as fast deep in the table.
SORTS = frozenset({"id", "title", "starts_at"})
LOCATION_MAX = 500
DESCRIPTION_MAX = 10_000
_DAY = timedelta(days=1)
_NOT_MIDNIGHT = "An all-day event must {} at midnight UTC (a date, not a time)."


def utc_midnight(day: date) -> datetime:
    """The instant that stands for ``day`` in an all-day event: its 00:00 UTC."""
    return datetime.combine(day, time(), tzinfo=UTC)


def _is_utc_midnight(value: datetime) -> bool:
    return value.utcoffset() == timedelta(0) and value.time() == time()


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
        if self.all_day:
            errors: dict[str, str] = {}
            if not _is_utc_midnight(self.starts_at):
                errors["starts_at"] = _NOT_MIDNIGHT.format("start")
            if not _is_utc_midnight(self.ends_at):
                errors["ends_at"] = _NOT_MIDNIGHT.format("end")
            elif self.ends_at == self.starts_at:
                errors["ends_at"] = "An all-day event must cover at least one day."
            if errors:
                raise InvalidInput(errors)
        return self

    @classmethod
    def all_day_between(
        cls, owner_id: int, title: str, first: date, last: date, **fields: Any
    ) -> Self:
        """An all-day event from ``first`` to ``last``, both days included.

        Stored as ``first`` 00:00 UTC to the day after ``last`` 00:00 UTC, so the dates
        read the same on every computer, whatever its time zone.
        """
        if last < first:
            raise InvalidInput({"ends_at": "The last day cannot be before the first."})
        return cls(
            owner_id=owner_id,
            title=title,
            starts_at=utc_midnight(first),
            ends_at=utc_midnight(last + _DAY),
            all_day=True,
            **fields,
        )


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

    @property
    def first_day(self) -> date | None:
        """The first day of an all-day event (read in UTC); None for a timed event."""
        return self.starts_at.astimezone(UTC).date() if self.all_day else None

    @property
    def last_day(self) -> date | None:
        """The last day of an all-day event, included (read in UTC); None for a timed event."""
        if not self.all_day:
            return None
        end = self.ends_at.astimezone(UTC).date()
        return max(end - _DAY, self.starts_at.astimezone(UTC).date())

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
    # Only events sharing time with another event of the same owner (touching is not).
    clashing: bool = False


def local_days(event: Event, zone: tzinfo) -> tuple[date, date]:
    """The first and last calendar day ``event`` covers on a wall calendar in ``zone``.

    All-day events are dates and give their own days in every zone. A timed event is
    converted; one that ends exactly at local midnight does not cover the next day, and
    an instant event covers the one day it is on.
    """
    first, last = event.first_day, event.last_day
    if first is not None and last is not None:
        return first, last
    start = event.starts_at.astimezone(zone)
    end = event.ends_at.astimezone(zone)
    last_day = end.date()
    if end > start and end.time() == time():
        last_day -= _DAY
    return start.date(), max(last_day, start.date())
