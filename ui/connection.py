"""Noticing that the database went away, and getting it back without a restart.

Any watched :class:`~ui.tasks.TaskRunner` that reports ``unavailable`` makes the watcher
probe the server at once. A probe that fails too puts the window in "disconnected": a
permanent part of the status bar counts down to the next attempt and offers "Retry now",
and the server is asked again every second until it answers. Then ``reconnected`` is
emitted and the window reloads what it shows.

While disconnected, nothing is hidden or disabled: the rows already loaded stay readable,
and an open dialog keeps what was typed. A save tried meanwhile fails at once with a
message at its form and can simply be pressed again later — disabling the buttons would
explain less and would flicker on every short outage.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QStatusBar

from app.domain.clock import Clock
from app.domain.errors import DomainError
from ui.tasks import TaskRunner

_log = logging.getLogger(__name__)

RETRY_EVERY_S = 1.0  # with fast probes, back within two seconds of the server
PROBE_TIMEOUT_S = 3.0  # a probe into a silent network must not hold up the retries for long
TICK_MS = 250


class ConnectionWatcher(QObject):
    """Turns "the database cannot be reached" into a state the window shows and leaves.

    Args:
        probe: a cheap round trip to the server (``backend.server_version``); it raises a
            :class:`~app.domain.errors.DomainError` (``Unavailable``) when there is none.
        clock: for the time the connection was lost.
        parent: the window.
        every_s: the pause between two attempts.
        timeout_s: how long one attempt may take.
    """

    disconnected = Signal()
    reconnected = Signal()

    def __init__(
        self,
        probe: Callable[[], Awaitable[object]],
        clock: Clock,
        parent: QObject | None = None,
        *,
        every_s: float = RETRY_EVERY_S,
        timeout_s: float = PROBE_TIMEOUT_S,
    ) -> None:
        super().__init__(parent)
        self._probe = probe
        self._clock = clock
        self._every_s = every_s
        self._timeout_s = timeout_s
        self.tasks = TaskRunner(self)
        self._down = False
        self._checking = False
        self._next_at = 0.0
        self._lost_at: datetime | None = None
        self._lost_since = 0.0  # monotonic, for the log
        self._reason = ""
        self._wake = asyncio.Event()
        self.attempts = 0

        self.widget = QFrame()
        self.widget.setObjectName("connection_bar")
        # Fixed colours, as the schema banner's: it must stand out in light and dark themes.
        self.widget.setStyleSheet(
            "#connection_bar { background: #fde7e9; border: 1px solid #d13438;"
            " border-radius: 3px; }"
            "#connection_bar QLabel { color: #750b1c; font-weight: 600; }"
        )
        self.label = QLabel()
        self.label.setObjectName("connection_status")
        self.retry_button = QPushButton("Retry now")
        self.retry_button.setObjectName("connection_retry")
        self.retry_button.setToolTip("Try to reach the database again now")
        self.retry_button.clicked.connect(self.retry_now)
        row = QHBoxLayout(self.widget)
        row.setContentsMargins(8, 1, 2, 1)
        row.setSpacing(8)
        row.addWidget(self.label)
        row.addWidget(self.retry_button)
        self.widget.hide()
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._show_countdown)

    @property
    def connected(self) -> bool:
        """False from the first failed probe until the server answers again."""
        return not self._down

    def watch(self, runner: TaskRunner) -> None:
        """Listen to ``runner``'s reports of a lost database."""
        runner.unavailable.connect(self.report)

    def report(self, message: str) -> None:
        """Something could not reach the database: find out whether the server is gone."""
        if self._down or self._checking:
            return
        self._checking = True
        self.tasks.spawn(self._confirm(message), name="connection: check")

    def retry_now(self) -> None:
        """Skip the rest of the countdown ("Retry now")."""
        self._wake.set()

    async def stop(self) -> None:
        """Stop probing (the window is closing)."""
        self._ticker.stop()
        await self.tasks.cancel_all()

    async def _confirm(self, message: str) -> None:
        try:
            # One failed statement is not yet an outage (a timeout, a server restarted
            # between two queries): only a server that does not answer a probe is.
            back = await self._attempt()
        finally:
            self._checking = False
        if back:
            return
        self._go_down(message)
        while not await self._wait_and_attempt():
            pass
        self._come_back()

    def _go_down(self, message: str) -> None:
        self._down = True
        self._lost_at = self._clock()
        self._lost_since = time.monotonic()
        self.attempts = 0
        _log.warning("database unavailable: %s", message)
        self.widget.show()
        self.disconnected.emit()
        # The bar says it all; a sentence beside it would be cut off in a narrow window.
        status = self.widget.parentWidget()
        if isinstance(status, QStatusBar):
            status.clearMessage()

    async def _wait_and_attempt(self) -> bool:
        self._next_at = time.monotonic() + self._every_s
        self._wake.clear()
        self._show_countdown()
        self._ticker.start()
        try:
            await asyncio.wait_for(self._wake.wait(), self._every_s)
        except TimeoutError:
            pass  # the countdown ran out
        finally:
            self._ticker.stop()
        self.label.setText("Disconnected — retrying now. What you see stays as it was loaded.")
        return await self._attempt()

    async def _attempt(self) -> bool:
        self.attempts += 1
        try:
            await asyncio.wait_for(self._probe(), self._timeout_s)
        except DomainError as error:
            self._reason = error.message
            return False
        except TimeoutError:
            self._reason = f"The database did not answer within {self._timeout_s:g} seconds."
            return False
        except Exception:  # an unexpected probe failure must not end the retries
            _log.exception("connection probe failed")
            self._reason = "The connection check failed; the details are in the log file."
            return False
        return True

    def _come_back(self) -> None:
        self._down = False
        self.widget.hide()
        _log.info("database reachable again after %.1f s", time.monotonic() - self._lost_since)
        self.reconnected.emit()

    def _show_countdown(self) -> None:
        remaining = max(0.0, self._next_at - time.monotonic())
        self.label.setText(
            "Disconnected — retrying in {n} s. What you see stays as it was loaded.".replace(
                "{n}", str(max(1, math.ceil(remaining)))
            )
        )
        since = self._lost_at.astimezone().strftime("%H:%M:%S") if self._lost_at else "?"
        tip = (
            f"The database stopped answering at {since}. Tessera tries again every "
            f"{self._every_s:g} s and reloads when it is back; what you see and what you "
            f"typed stays as it is."
        )
        self.widget.setToolTip(f"{tip}\n\nLast attempt: {self._reason}" if self._reason else tip)
