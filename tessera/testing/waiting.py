"""Waiting in GUI tests: on a signal or on a condition with a deadline, never a fixed sleep."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QApplication, QWidget

W = TypeVar("W", bound=QWidget)
POLL_S = 0.01  # how often a condition is looked at again, as the loop turns


async def until(predicate: Callable[[], Any], within: float = 10.0, what: str = "") -> Any:
    """Wait until ``predicate()`` is truthy (checked as the loop turns); returns its value.

    Raises:
        AssertionError: not within ``within`` seconds; the message says what was awaited.
    """
    deadline = asyncio.get_running_loop().time() + within
    while True:
        value = predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what or predicate}")
        await asyncio.sleep(POLL_S)


def emitted(signal: SignalInstance, within: float = 10.0) -> Awaitable[tuple[Any, ...]]:
    """Start listening for ``signal`` now; await the result to get its arguments."""
    done: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def fire(*args: Any) -> None:
        if not done.done():
            done.set_result(args)

    def stop(_: object) -> None:
        with contextlib.suppress(RuntimeError):  # the sender may be gone already
            signal.disconnect(fire)

    signal.connect(fire)
    done.add_done_callback(stop)
    return asyncio.wait_for(done, within)


def visible_window(kind: type[W], name: str | None = None) -> W | None:
    """The open top-level widget of ``kind`` (named ``name``), if there is one."""
    for widget in QApplication.topLevelWidgets():
        wanted = name is None or widget.objectName() == name
        if isinstance(widget, kind) and widget.isVisible() and wanted:
            return widget
    return None


async def modal(kind: type[W], name: str | None = None, within: float = 10.0) -> W:
    """Wait for an open top-level widget of ``kind`` (a dialog) and return it."""
    found: W = await until(
        lambda: visible_window(kind, name), within, f"a visible {kind.__name__} {name or ''}"
    )
    return found
