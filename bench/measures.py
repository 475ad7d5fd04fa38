"""The in-process measures of ``python -m bench``: each returns its samples in milliseconds.

Every ratio compares Tessera's path with raw asyncpg prepared statements on the same rows
(the floor), interleaved so background load weighs on both alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from PySide6.QtCore import QElapsedTimer, QSettings, Qt, QTimer, SignalInstance

from app.bootstrap import Tessera
from app.domain.clock import system_clock
from app.domain.paging import Cursor, PageRequest
from app.domain.tokens import QuickFilter, TokenFilter
from app.domain.users import UserFilter
from app.infrastructure.uow import SqlUnitOfWork
from bench.common import timed
from ui.window import MainWindow

TOKEN_SQL = (
    "SELECT id, owner_id, name, scopes, prefix, secret_hash, created_at, expires_at, "  # noqa: S105
    "last_used_at, revoked_at, version, revoked_by FROM tokens"
)
SEARCHES = ("kim", "ivan", "sato.", "ova", "ahmed.m", "@example.gr", "123")


async def pk_lookup(tessera: Tessera, raw: Any, tokens: int) -> tuple[list[float], list[float]]:
    """Repository get-by-id (inside an open unit of work) vs a prepared ``fetchrow``.

    200 random rows, read once beforehand so neither path pays for the disk; then each
    round reads one id by both paths, five times over.
    """
    statement = await raw.prepare(f"{TOKEN_SQL} WHERE id = $1")
    ids = random.Random(1).sample(range(1, tokens + 1), 200)  # noqa: S311 - not secrets
    for ident in ids:
        await statement.fetchrow(ident)
    theirs, mine = iter(ids * 5), iter(ids * 5)
    async with SqlUnitOfWork(tessera.database.sessions) as uow:
        floor, ours = await timed(
            [lambda: statement.fetchrow(next(theirs)), lambda: uow.tokens.get(next(mine))],
            len(ids) * 5 - 1,
        )
    return floor, ours


async def service_get(tessera: Tessera, tokens: int) -> list[float]:
    """The service's get-by-id: a unit of work of its own per call, as the window uses it."""
    ids = iter(random.Random(2).sample(range(1, tokens + 1), 100))  # noqa: S311 - not secrets
    (ours,) = await timed([lambda: tessera.tokens.get(next(ids))], 98)
    return ours


async def deep_page(tessera: Tessera, raw: Any, depth: int) -> tuple[list[float], list[float]]:
    """A page of 200 by expiry at ``depth`` vs at depth 0, through the service."""
    row = await raw.fetchrow(
        "SELECT expires_at, id FROM tokens ORDER BY expires_at, id OFFSET $1 LIMIT 1", depth - 1
    )
    deep = PageRequest(sort="expires_at", after=Cursor(row["expires_at"], row["id"]), limit=200)
    first = PageRequest(sort="expires_at", limit=200)
    floor, ours = await timed(
        [lambda: tessera.tokens.reports.list(TokenFilter(), first),
         lambda: tessera.tokens.reports.list(TokenFilter(), deep)],
        30,
    )  # fmt: skip
    return floor, ours


async def last_page(tessera: Tessera) -> tuple[list[float], list[float]]:
    """The last page of 200 by expiry read from the other end vs the first, through the service.

    The read End needs; the window does not use it yet (issue 15), so this is not yet the
    time from the key press to the rows shown.
    """
    first = PageRequest(sort="expires_at", limit=200)
    last = PageRequest(sort="expires_at", limit=200, last=True)
    floor, ours = await timed(
        [lambda: tessera.tokens.reports.list(TokenFilter(), first),
         lambda: tessera.tokens.reports.list(TokenFilter(), last)],
        30,
    )  # fmt: skip
    return floor, ours


async def count(tessera: Tessera, raw: Any) -> tuple[list[float], list[float]]:
    """The count the window shows for the whole token table (the planner's estimate)."""
    statement = await raw.prepare(
        "SELECT reltuples::bigint FROM pg_class WHERE oid = 'tokens'::regclass"
    )
    floor, ours = await timed([statement.fetchval, tessera.tokens.estimate_total], 50)
    return floor, ours


async def search(tessera: Tessera, raw: Any) -> tuple[list[float], list[float]]:
    """First page of 200 users whose email contains a text: prepared ILIKE vs the service."""
    statement = await raw.prepare(
        "SELECT * FROM users WHERE email ILIKE $1 OR display_name ILIKE $1 "
        "ORDER BY email, id LIMIT 201"
    )
    texts = iter(SEARCHES * 20)
    other = iter(SEARCHES * 20)

    async def ours() -> object:
        query = UserFilter(search=next(other))
        return await tessera.users.list(query, PageRequest(sort="email", limit=200))

    floor, mine = await timed(
        [lambda: statement.fetch(f"%{next(texts)}%"), ours], 5 * len(SEARCHES)
    )
    return floor, mine


async def change_log_overhead(raw: Any, rows: int) -> tuple[list[float], list[float]]:
    """Bulk revoke of ``rows`` tokens without the change log's triggers vs with them.

    One UPDATE of that many unrevoked tokens, rolled back each time. Without: the
    triggers silenced by ``session_replication_role = replica`` (also the version bump,
    so this is the whole cost revision 0005 adds to a bulk write).
    """
    first = await raw.fetchval("SELECT min(id) FROM tokens WHERE revoked_at IS NULL")
    revoke = (
        "UPDATE tokens SET revoked_at = now(), revoked_by = 'bench', version = version + 1 "
        "WHERE id IN (SELECT id FROM tokens WHERE revoked_at IS NULL AND id >= $1 "
        "ORDER BY id LIMIT $2)"
    )

    async def run(logged: bool) -> None:
        async with raw.transaction():
            if logged:  # as Tessera writes: named actor and action (the action is indexed)
                await raw.execute(
                    "SELECT set_config('tessera.actor', 'bench', true), "
                    "set_config('tessera.action', md5(random()::text), true)"
                )
            else:
                await raw.execute("SET LOCAL session_replication_role = replica")
            await raw.execute(revoke, first, rows)
            raise _RollBack

    async def attempt(logged: bool) -> None:
        with contextlib.suppress(_RollBack):
            await run(logged)

    floor, ours = await timed([lambda: attempt(False), lambda: attempt(True)], 5)
    return floor, ours


class _RollBack(Exception):
    """Leaves a measured transaction without keeping its writes."""


async def _until(signal: SignalInstance, seconds: float = 60) -> None:
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def fire(*_: object) -> None:
        if not done.done():
            done.set_result(None)

    signal.connect(fire)
    try:
        await asyncio.wait_for(done, seconds)
    finally:
        signal.disconnect(fire)


async def live_update(tessera: Tessera, raw: Any, settings_file: str, soon: Any) -> list[float]:
    """A commit on another connection → the changed row repainted in an open window.

    The window shows the Users tab; each round renames the first shown user with raw SQL
    (another program) and waits for the model to announce the new value on that row.
    """
    window = MainWindow(
        tessera, system_clock, soon, QSettings(settings_file, QSettings.Format.IniFormat)
    )
    try:
        window.show()
        ready = _until(window.ready, 120)
        window.start()
        await ready
        model = window.users_tab.model
        column = model.column_named("display_name")
        samples: list[float] = []
        for n in range(21):
            row = model.rows[0]
            changed = _until(model.dataChanged, 10)
            started = time.perf_counter()
            await raw.execute(
                "UPDATE users SET display_name = $1 WHERE id = $2", f"Live {n}", row.id
            )
            await changed
            assert model.index(0, column).data() == f"Live {n}"
            if n:  # the first round warms the statements
                samples.append((time.perf_counter() - started) * 1000)
        return samples
    finally:
        window.close()
        await window.shutdown()


class Heartbeat:
    """A 5 ms timer noting how late each tick comes: the event loop's stalls."""

    def __init__(self, interval_ms: int = 5) -> None:
        self._interval = interval_ms
        self._clock = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self.lags: list[float] = []
        self.phase = "start"
        self.worst: dict[str, float] = {}  # the longest lag seen in each phase

    def _tick(self) -> None:
        elapsed = self._clock.nsecsElapsed() / 1e6
        self._clock.restart()
        lag = max(0.0, elapsed - self._interval)
        self.lags.append(lag)
        self.worst[self.phase] = max(lag, self.worst.get(self.phase, 0.0))

    def start(self) -> None:
        self._clock.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()


async def ui_session(
    tessera: Tessera, settings_file: str, soon: Any, measured: int, pages: int | None
) -> tuple[list[float], list[float], dict[str, float]]:
    """Open the window, show Tokens, scroll to the end (or ``pages``), sort, search, filter.

    The first ``measured`` pages are timed from the request to the rows in the model,
    each after the window has painted the one before (so painting is not counted).

    Returns:
        The heartbeat's lags over the whole session, the page times, and notes.
    """
    window = MainWindow(
        tessera, system_clock, soon, QSettings(settings_file, QSettings.Format.IniFormat)
    )
    beat = Heartbeat()
    page_ms: list[float] = []
    notes: dict[str, float] = {}
    beat.start()
    started = time.perf_counter()
    try:
        beat.phase = "open"
        window.show()
        ready = _until(window.ready, 120)
        window.start()
        await ready
        notes["window_ready_ms"] = (time.perf_counter() - started) * 1000
        tab = window.tokens_tab
        beat.phase = "tokens tab"
        window.tabs.setCurrentWidget(tab)
        model = tab.model
        beat.phase = "pages"
        inserted: list[float] = []  # stamped as the rows land, before anything repaints

        def stamp(*_: object) -> None:
            inserted.append(time.perf_counter())

        model.rowsInserted.connect(stamp)
        while len(page_ms) < measured and model.has_more:
            await asyncio.sleep(0.03)  # let the window paint the last page first
            began = time.perf_counter()
            arrived = _until(model.rowsInserted)
            model.fetchMore()
            await arrived
            page_ms.append((inserted[-1] - began) * 1000)
        model.rowsInserted.disconnect(stamp)
        scrolled = time.perf_counter()
        beat.phase = "scroll"
        while model.has_more and (pages is None or model.rowCount() < pages * 200):
            loaded = _until(tab.loaded)
            tab.view.scrollToBottom()  # the view asks for more itself when it can…
            model.fetchMore()  # …and this asks when it did not: one fetch either way
            await loaded
        notes["scroll_s"] = time.perf_counter() - scrolled
        notes["rows_scrolled"] = model.rowCount()
        notes["pages_held"] = model.loaded_pages
        for label, action in _actions(tab):
            beat.phase = label
            began = time.perf_counter()
            loaded = _until(tab.loaded)
            action()
            await loaded
            notes[f"{label}_ms"] = (time.perf_counter() - began) * 1000
        await asyncio.sleep(0.2)  # let the counts and chart that follow a load land
    finally:
        beat.stop()
        window.close()
        await window.shutdown()
        window.deleteLater()
    notes.update({f"worst lag in {phase}": lag for phase, lag in beat.worst.items()})
    return beat.lags, page_ms, notes


def _actions(tab: Any) -> list[tuple[str, Callable[[], object]]]:
    name = tab.model.column_of("name")
    return [
        ("sort", lambda: tab.view.sortByColumn(name, Qt.SortOrder.DescendingOrder)),
        ("search", lambda: tab.search.setText("Backup")),
        ("filter", lambda: tab.set_quick(QuickFilter.EXPIRING)),
    ]


async def connect_raw(dsn: str) -> Any:
    """A plain asyncpg connection: the floor."""
    return await asyncpg.connect(dsn)


Measure = Callable[[], Awaitable[tuple[list[float], list[float]]]]
