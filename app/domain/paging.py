"""Keyset paging: a sort key, a cursor after the last row seen, and a page size."""

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
    """

    sort: str = "id"
    descending: bool = False
    after: Cursor | None = None
    limit: int = DEFAULT_PAGE_SIZE

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE_SIZE:
            raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}")

    def next(self, cursor: Cursor) -> PageRequest:
        """The request for the page after ``cursor``, same sort and size."""
        return PageRequest(self.sort, self.descending, cursor, self.limit)


@dataclass(frozen=True, slots=True)
class Page(Generic[T_co]):
    """A page of rows and the cursor of the next one (None on the last page)."""

    items: tuple[T_co, ...]
    next_cursor: Cursor | None
