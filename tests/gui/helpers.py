"""Waiting in GUI tests: on a signal, or on a condition with a deadline, never a fixed sleep."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

W = TypeVar("W", bound=QWidget)
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


async def until(predicate: Callable[[], Any], within: float = 5.0, what: str = "") -> Any:
    """Wait until ``predicate()`` is truthy (checked as the loop turns); returns its value."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        value = predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await asyncio.sleep(0.01)


def emitted(signal: SignalInstance, within: float = 5.0) -> Awaitable[tuple[Any, ...]]:
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


async def modal(kind: type[W], name: str | None = None, within: float = 5.0) -> W:
    """Wait for an open top-level widget of ``kind`` (a dialog) and return it."""

    def find() -> W | None:
        for widget in QApplication.topLevelWidgets():
            wanted = name is None or widget.objectName() == name
            if isinstance(widget, kind) and widget.isVisible() and wanted:
                return widget
        return None

    found: W = await until(find, within, f"a visible {kind.__name__} {name or ''}")
    return found


def later(days: float) -> datetime:
    """NOW plus some days."""
    return NOW + timedelta(days=days)


def press(parent: QWidget, name: str) -> None:
    """Click the button called ``name`` inside ``parent``."""
    button = parent.findChild(QAbstractButton, name)
    assert button is not None, f"no button {name!r}"
    button.click()


async def started(window: Any, within: float = 5.0) -> None:
    """Show a MainWindow, start it, and wait until its first loads are done."""
    window.show()
    ready = emitted(window.ready, within)
    window.start()
    await ready
