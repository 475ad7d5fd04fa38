"""What a bulk action says in the status bar, and how the table shows its outcome."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from app.domain.bulk import BulkResult, Versioned
from ui.format import count, plural
from ui.tabs.table_model import RecordTableModel

T = TypeVar("T", bound=Versioned)
NAMES_SHOWN = 5


def _names(rows: Sequence[T], name: Callable[[T], str]) -> str:
    shown = ", ".join(f"“{name(row)}”" for row in rows[:NAMES_SHOWN])
    more = len(rows) - NAMES_SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


def bulk_summary(
    result: BulkResult[T],
    verb: str,
    noun: str,
    name: Callable[[T], str],
    loaded: Sequence[T],
    with_done: str = "",
) -> str:
    """One sentence for the status bar: what was done, and each row left alone and why.

    Rows changed meanwhile are named as the user selected them (``loaded``), since that
    is the name they know. ``with_done`` follows the count done (", with 3 tokens").
    """
    known = {row.id: row for row in loaded}
    done = result.done
    what = f"“{name(done[0])}”" if len(done) == 1 == len(known) else count(len(done), noun)
    parts = [f"{verb} {what}{with_done}"]
    if result.stale:
        as_loaded = [known.get(row.id, row) for row in result.stale]
        parts.append(
            plural(
                len(as_loaded),
                "{n} had been changed by someone else and was left alone: {names}",
                "{n} had been changed by someone else and were left alone: {names}",
            ).replace("{names}", _names(as_loaded, name))
        )
    if result.gone:
        parts.append(
            plural(
                len(result.gone),
                "{n} had already been deleted by someone else: {names}",
                "{n} had already been deleted by someone else: {names}",
            ).replace("{names}", _names(result.gone, name))
        )
    if result.skipped:
        reasons = "; ".join(sorted(set(result.skipped.values())))
        parts.append(f"{count(len(result.skipped), noun)} left alone ({reasons})")
    text = "; ".join(parts) + "."
    if result.stale:
        text += plural(len(result.stale), " Refresh to see it.", " Refresh to see them.")
    return text


def show_outcome(model: RecordTableModel[T], result: BulkResult[T], deleted: bool) -> None:
    """Rows written, changed meanwhile or gone, as they are now in the table."""
    gone = {row.id for row in result.gone}
    if deleted:
        gone |= {row.id for row in result.done}
    else:
        for row in result.done:
            model.replace(row)
    for row in result.stale:
        model.replace(row)
    if gone:
        model.remove(gone)
