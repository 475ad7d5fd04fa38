"""What a bulk action did to each row it was given.

A bulk action writes only rows still at the version the window loaded (one guarded
statement), so every row ends in exactly one of four places: done; changed by someone
else since it was loaded (``stale``); deleted meanwhile (``gone``); or left alone by a
rule (``skipped``, with the reason).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from app.domain.users import DeleteImpact, User


class Versioned(Protocol):
    """A stored record: an id and the version that every write moves on."""

    @property
    def id(self) -> int: ...

    @property
    def version(self) -> int: ...


T = TypeVar("T", bound=Versioned)


@dataclass(frozen=True, slots=True)
class BulkResult(Generic[T]):
    """Every row of a bulk action, in exactly one of four groups, each in id order.

    Attributes:
        done: the rows written, as stored now (for a delete: as they were loaded).
        skipped: id → why a rule left the row alone ("already revoked").
        stale: rows someone else changed since they were loaded, as stored now; untouched.
        gone: rows deleted meanwhile, as they were loaded.
    """

    done: tuple[T, ...] = ()
    skipped: Mapping[int, str] = field(default_factory=dict)
    stale: tuple[T, ...] = ()
    gone: tuple[T, ...] = ()


def versions_of(rows: Iterable[Versioned]) -> dict[int, int]:
    """id → the version the window loaded (a row given twice counts once).

    Args:
        rows: the rows selected.

    Returns:
        The guard of a bulk write: each id with its expected version.
    """
    return {row.id: row.version for row in rows}


@dataclass(frozen=True, slots=True)
class UsersDeleted:
    """A bulk delete of users: what happened to each, and what went with those deleted.

    Attributes:
        result: the users deleted, changed meanwhile, or already gone.
        impact: the tokens and events deleted with the users deleted.
    """

    result: BulkResult[User]
    impact: DeleteImpact
