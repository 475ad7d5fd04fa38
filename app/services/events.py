"""Use cases on calendar events: list, create, edit, delete and find clashes."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from app.domain.bulk import BulkResult, versions_of
from app.domain.errors import Conflict, InvalidReference, NotFound
from app.domain.events import Event, EventDraft, EventFilter, EventPatch
from app.domain.paging import Page, PageRequest
from app.domain.ports import UnitOfWork
from app.domain.users import User
from app.services.base import Service
from app.services.bulk import bulk_report, deleted_rows

_NO_OWNER = "The owner chosen does not exist; they may have been deleted."


class EventService(Service):
    """What the window can do with events. Each method is one transaction.

    Args:
        uow_factory: makes a fresh unit of work per use case.
        clock: the source of now, stamped on created and updated rows.
    """

    async def list(self, filter: EventFilter, page: PageRequest) -> Page[Event]:
        """One page of the events that match ``filter``.

        Args:
            filter: owner, text and the time range events touch.
            page: sort, direction, cursor and size.

        Returns:
            The page and the cursor of the next one.
        """
        return await self._read(lambda uow: uow.events.list(filter, page))

    async def list_with_owners(
        self, filter: EventFilter, page: PageRequest, known: Collection[int] = ()
    ) -> tuple[Page[Event], Sequence[User]]:
        """:meth:`list`, and the owners not in ``known`` read along (to name them)."""
        return await self._owned(lambda uow: uow.events.list(filter, page), known)

    async def count(self, filter: EventFilter, limit: int | None = None) -> int:
        """How many events match ``filter``.

        Args:
            filter: owner, text and the time range events touch.
            limit: stop counting at this many (a huge result need not be counted).

        Returns:
            The exact count, or ``limit`` when there are at least that many.
        """
        return await self._read(lambda uow: uow.events.count(filter, limit))

    async def estimate_total(self) -> int:
        """All events in the table, estimated: instant even on millions of rows.

        Returns:
            The planner's estimate (exact for small tables that were never analysed).
        """
        return await self._read(lambda uow: uow.events.estimate_total())

    async def get_many(self, event_ids: Collection[int]) -> Sequence[Event]:
        """The events with these ids that still exist, in id order (to refresh shown rows)."""
        return await self._read(lambda uow: uow.events.get_many(event_ids))

    async def get(self, event_id: int) -> Event:
        """The event with this id.

        Args:
            event_id: the event's id.

        Returns:
            The event.

        Raises:
            NotFound: no such event.
        """
        return await self._read(lambda uow: uow.events.get(event_id))

    async def create(self, draft: EventDraft) -> Event:
        """Create an event.

        Args:
            draft: the validated new event.

        Returns:
            The stored event, version 1.

        Raises:
            InvalidReference: the owner does not exist.
        """
        async with self._uow_factory() as uow:
            await _require_owner(uow, draft.owner_id)
            event = await uow.events.add(draft, self._clock())
            await uow.commit()
        return event

    async def update(self, event_id: int, version: int, patch: EventPatch) -> Event:
        """Apply the fields set in ``patch`` to the event if it is still at ``version``.

        The patch is merged into the stored event and the result validated as a whole,
        so a new start after the unchanged end is refused at ``ends_at``.

        Args:
            event_id: the event's id.
            version: the version the editor started from.
            patch: the fields to change; unset fields keep their value.

        Returns:
            The updated event, or the event as stored if the patch changes nothing.

        Raises:
            NotFound: no such event.
            Conflict: the event changed since ``version``.
            InvalidInput: the merged event is not valid.
            InvalidReference: the new owner does not exist.
        """
        # Every event column is NOT NULL, so an explicit None can only mean "keep it".
        changes = {k: v for k, v in patch.model_dump(exclude_unset=True).items() if v is not None}
        async with self._uow_factory() as uow:
            current = await uow.events.get(event_id)
            if not changes:
                await uow.commit()
                return current
            # Merging into a state the editor never saw would validate the wrong thing.
            if current.version != version:
                raise Conflict("event", event_id, version)
            merged = current.as_draft().model_dump()
            merged.update(changes)
            draft = EventDraft(**merged)
            if draft.owner_id != current.owner_id:
                await _require_owner(uow, draft.owner_id)
            validated = {field: getattr(draft, field) for field in changes}
            event = await uow.events.update(event_id, version, validated, self._clock())
            await uow.commit()
        return event

    async def delete_many(self, events: Sequence[Event]) -> BulkResult[Event]:
        """Delete these events: one guarded DELETE, in one transaction.

        Only events still at the version the window loaded are deleted; the others are
        reported as changed meanwhile (``stale``, as they are now) or already deleted
        (``gone``).

        Args:
            events: the events selected, as the window loaded them.

        Returns:
            What happened to each event (``done`` holds the window's copies).
        """
        async with self._uow_factory() as uow:
            ids = await uow.events.delete_many(versions_of(events))
            result = await bulk_report(uow.events, events, deleted_rows(events, ids))
            await uow.commit()
        return result

    async def overlapping(
        self,
        owner_id: int,
        starts_at: datetime,
        ends_at: datetime,
        exclude_id: int | None = None,
    ) -> Sequence[Event]:
        """The owner's events sharing time with [starts_at, ends_at), to warn of clashes.

        Args:
            owner_id: whose calendar to look in.
            starts_at: start of the time span, aware.
            ends_at: end of the time span, aware; touching events do not count.
            exclude_id: the event being edited, so it does not clash with itself.

        Returns:
            The overlapping events.
        """
        return await self._read(
            lambda uow: uow.events.overlapping(owner_id, starts_at, ends_at, exclude_id)
        )


async def _require_owner(uow: UnitOfWork, owner_id: int) -> None:
    try:
        await uow.users.get(owner_id)
    except NotFound:
        raise InvalidReference("owner_id", _NO_OWNER) from None
