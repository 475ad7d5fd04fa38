"""Keyset paging: a sort key, a cursor after the last row seen, and a page size.

A page can also be read from the other end: the rows just before a cursor
(``before``), or the last rows of the whole list (``last``). Both come back in the
list's own order, so End shows the true last rows at once, without walking there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T_co = TypeVar("T_co", covariant=True)

DEFAULT_PAGE_SIZE = 200
MAX_PAGE_SIZE = 5_000


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the previous page ended: the sort value and id of its last row.

    Opaque to callers: they pass back what :class:`Page` gave them.
    """

    value: object
    id: int


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which slice of a list to read.

    Attributes:
        sort: a sortable field of the entity (each repository lists its own).
        descending: sort direction; ties are broken by id in the same direction.
        after: the cursor of the previous page, or None for the first page.
        limit: rows per page.
        before: read backward: the ``limit`` rows just before this cursor.
        last: read from the other end: the last ``limit`` rows of the list.
    """

    sort: str = "id"
    descending: bool = False
    after: Cursor | None = None
    limit: int = DEFAULT_PAGE_SIZE
    before: Cursor | None = None
    last: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE_SIZE:
            raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}")
        if sum((self.after is not None, self.before is not None, self.last)) > 1:
            raise ValueError("a page is read after a cursor, before one, or from the end")

    @property
    def backward(self) -> bool:
        """Whether the page is read from its end (``before`` or ``last``)."""
        return self.before is not None or self.last

    def previous(self, cursor: Cursor) -> PageRequest:
        """The request for the page before ``cursor``, same sort and size."""
        return PageRequest(self.sort, self.descending, limit=self.limit, before=cursor)

    def next(self, cursor: Cursor) -> PageRequest:
        """The request for the page after ``cursor``, same sort and size."""
        return PageRequest(self.sort, self.descending, cursor, self.limit)


@dataclass(frozen=True, slots=True)
class Page(Generic[T_co]):
    """A page of rows, the cursor of the next one (None on the last page) and, for a page
    read backward, the cursor of the one before it (None on the first page)."""

    items: tuple[T_co, ...]
    next_cursor: Cursor | None
    previous_cursor: Cursor | None = None
