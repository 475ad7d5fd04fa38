"""Which action a write belongs to: the change log groups a user's action by it.

A window runs each action (a save, a bulk revoke, an undo) inside ``acting()``; every
transaction the action commits is logged with its id, so the action can later be undone
as one step, cascaded deletes included. A context variable carries it, so the services
in between need not pass it along.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from uuid import uuid4

_current: ContextVar[str | None] = ContextVar("tessera_action", default=None)


@contextmanager
def acting(action: str | None = None) -> Iterator[str]:
    """Run the block as one action (a new id unless ``action`` is given); yields its id."""
    ident = action or uuid4().hex
    token = _current.set(ident)
    try:
        yield ident
    finally:
        _current.reset(token)


def current_action() -> str | None:
    """The action the running code belongs to; None outside ``acting()``."""
    return _current.get()
