"""Events on PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, exists, select

from app.domain.events import SORTS, Event, EventDraft, EventFilter
from app.infrastructure.repositories.base import Clauses, SqlRepository, contains
from app.infrastructure.tables import events


class SqlEventRepository(SqlRepository[Event, EventDraft, EventFilter]):
    """The events table."""

    table = events
    entity = Event
    entity_name = "event"
    sortable = SORTS

    def _where(self, filter: EventFilter) -> Clauses:
        where: Clauses = []
        if filter.owner_id is not None:
            where.append(events.c.owner_id == filter.owner_id)
        if filter.search:
            where.append(contains(events.c.title, filter.search))
        if filter.starts_before is not None:
            where.append(events.c.starts_at < filter.starts_before)
        if filter.ends_after is not None:
            where.append(events.c.ends_at > filter.ends_after)
        if filter.clashing:
            where.append(_clashes_with_another())
        return where

    async def overlapping(
        self,
        owner_id: int,
        starts_at: datetime,
        ends_at: datetime,
        exclude_id: int | None = None,
    ) -> Sequence[Event]:
        """The owner's events sharing time with [starts_at, ends_at); touching is not sharing."""
        statement = (
            select(events)
            .where(
                events.c.owner_id == owner_id,
                events.c.starts_at < ends_at,
                events.c.ends_at > starts_at,
            )
            .order_by(events.c.starts_at, events.c.id)
        )
        if exclude_id is not None:
            statement = statement.where(events.c.id != exclude_id)
        return self._to_entities(await self._rows(statement))


def _clashes_with_another() -> ColumnElement[bool]:
    """EXISTS another event of the same owner sharing time; touching is not sharing.

    The inner lookup is on (owner_id, starts_at), which ix_events_owner_id_starts_at serves.
    """
    other = events.alias("other")
    return exists().where(
        other.c.owner_id == events.c.owner_id,
        other.c.starts_at < events.c.ends_at,
        other.c.ends_at > events.c.starts_at,
        other.c.id != events.c.id,
    )
