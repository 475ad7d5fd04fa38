"""How a bulk action sorts the rows it did not write: changed meanwhile, gone, or a rule."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Protocol, TypeVar

from app.domain.bulk import BulkResult, Versioned

T = TypeVar("T", bound=Versioned)
T_co = TypeVar("T_co", bound=Versioned, covariant=True)


class _Lookup(Protocol[T_co]):
    async def get_many(self, ids: Collection[int]) -> Sequence[T_co]: ...


def _no_rule(row: Versioned) -> str:
    # A guarded delete takes every row at its version; this is only for completeness.
    return "it was left alone"


async def bulk_report(
    repository: _Lookup[T],
    loaded: Sequence[T],
    done: Sequence[T],
    why_not: Callable[[T], str] = _no_rule,
) -> BulkResult[T]:
    """Sort every row the window gave into done, stale, gone or skipped.

    Run in the bulk action's transaction, right after its one guarded write: a row that
    was not written either moved on from the version the window loaded (someone else
    changed it), no longer exists, or is still at that version and a rule left it alone.

    Args:
        repository: where to read the rows not written, as they are now.
        loaded: the rows as the window loaded them (duplicates count once).
        done: the rows written, in id order.
        why_not: the rule's reason for a row at its version that was not written.

    Returns:
        The report, each group in id order.
    """
    wanted: Mapping[int, T] = {row.id: row for row in loaded}
    written = {row.id for row in done}
    left = sorted(set(wanted) - written)
    now = {row.id: row for row in await repository.get_many(left)} if left else {}
    stale: list[T] = []
    gone: list[T] = []
    skipped: dict[int, str] = {}
    for ident in left:
        current = now.get(ident)
        if current is None:
            gone.append(wanted[ident])
        elif current.version != wanted[ident].version:
            stale.append(current)
        else:
            skipped[ident] = why_not(current)
    return BulkResult(tuple(done), skipped, tuple(stale), tuple(gone))


def deleted_rows(loaded: Sequence[T], ids: Collection[int]) -> list[T]:
    """The window's copies of the rows a bulk delete removed, in id order.

    Args:
        loaded: the rows as the window loaded them.
        ids: the ids the delete returned.

    Returns:
        One copy per id deleted.
    """
    by_id = {row.id: row for row in loaded}
    return [by_id[ident] for ident in sorted(set(ids))]
