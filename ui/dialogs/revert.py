"""Putting a record back as it was: a revert from its history, or an undo that was refused.

Both know the values to put back and the version they were meant to replace. When the row
is still at that version the values are saved, guarded by it, like an edit. When someone
changed it since, nothing is overwritten: the conflict dialog compares the row as it was at
that version (rebuilt from the change log), the values to put back, and the row now.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from app.domain.changes import Change, Entity
from app.domain.errors import Conflict
from app.domain.undo import state_before
from app.services.history import HistoryService
from ui.dialogs.conflict import Form, RecordView, Stored, settle

V = TypeVar("V", bound=Stored)
P = TypeVar("P")


@dataclass(frozen=True)
class Reverting(Generic[V, P]):
    """How a tab's records are put back: the edit path of its dialog, without the form.

    Attributes:
        entity: the kind of record.
        view: how its fields read in the conflict dialog.
        fields: the fields an edit may change (those compared and put back).
        get: the service's ``get(id)``.
        update: the service's ``update(id, version, patch)``.
        patch: builds the service's patch from field → value.
        saved: told the row as saved (the tab shows it at once).
    """

    entity: Entity
    view: RecordView
    fields: tuple[str, ...]
    get: Callable[[int], Awaitable[V]]
    update: Callable[[int, int, P], Awaitable[V]]
    patch: Callable[..., P]
    saved: Callable[[V], None]


def as_of(record: V, values: Mapping[str, Any]) -> V:
    """``record`` with ``values`` (as the change log keeps them, in JSON) in its own types."""
    model = cast(Any, type(record))
    return cast(V, model.model_validate({**cast(Any, record).model_dump(), **values}))


def version_of(change: Change) -> int | None:
    """The row's version after ``change`` (None for a delete)."""
    version = (change.after or {}).get("version")
    return int(version) if version is not None else None


async def put_back(
    reverting: Reverting[V, P],
    history: HistoryService,
    form: Form,
    row_id: int,
    values: Mapping[str, Any],
    seen_version: int,
) -> V | None:
    """Save ``values`` over the row as it was at ``seen_version``; compare first if it moved.

    Returns:
        The row as saved, or None when the user cancelled the comparison.

    Raises:
        NotFound: the row was deleted meanwhile.
    """
    now = await reverting.get(row_id)
    base = now
    if now.version != seen_version:
        base = as_of(now, await _rewound(history, reverting.entity, now, seen_version))
    wanted = as_of(base, values)
    mine = {name: getattr(wanted, name) for name in reverting.fields}
    saved: V | None = None
    if now.version == seen_version:
        changes = {k: v for k, v in mine.items() if v != getattr(now, k)}
        if not changes:
            return now
        try:
            saved = await reverting.update(row_id, seen_version, reverting.patch(**changes))
        except Conflict:
            saved = None  # changed in the meantime: compare below
    if saved is None:
        saved = await settle(
            form, reverting.view, base, mine, reverting.get, reverting.update, reverting.patch
        )
    if saved is not None:
        reverting.saved(saved)
    return saved


async def _rewound(
    history: HistoryService, entity: Entity, now: Stored, version: int
) -> dict[str, Any]:
    """The row's fields as they were at ``version``: its later changes taken back."""
    later: list[Change] = []
    older_than: int | None = None
    while True:
        page = await history.history(entity, now.id, older_than)
        own: Sequence[Change] = [
            c for c in page.changes if c.entity is entity and c.row_id == now.id
        ]
        newer = [c for c in own if (version_of(c) or 0) > version]
        later.extend(newer)
        if page.older_than is None or len(newer) < len(own):
            return state_before(cast(Any, now).model_dump(), later)
        older_than = page.older_than
