"""The Tokens tab: statuses at a glance, quick filters with counts, the chart, the lifecycle."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QMessageBox

from app.domain.tokens import QuickFilter, Token, TokenRequest, TokenStatus
from app.domain.users import User, UserDraft
from app.services.token_secrets import hash_secret
from tests.clock import FrozenClock
from tests.fakes import FakeUnitOfWorkFactory
from tests.gui.conftest import Backend
from tests.gui.helpers import emitted, modal, press, until
from ui.dialogs.tokens import BulkExtendDialog, SecretDialog
from ui.tabs import token_style
from ui.tabs.table_model import ROW_ROLE
from ui.window import MainWindow

SOON = timedelta(days=7)


async def _started(window: MainWindow) -> None:
    window.show()
    ready = emitted(window.ready)
    counted = emitted(window.tokens_tab.counted)
    window.start()
    await ready
    await counted


async def _owner(backend: Backend) -> User:
    return await backend.users.create(UserDraft(email="ops@example.org", display_name="Ops"))


async def _issue(
    backend: Backend, clock: FrozenClock, owner: User, name: str, **when: Any
) -> Token:
    """Issue a token whose expiry is ``when`` from the clock's now (issued a year back)."""
    now = clock.now
    clock.now = now - timedelta(days=200)
    try:
        issued = await backend.tokens.issue(
            TokenRequest(owner_id=owner.id, name=name, expires_at=now + timedelta(**when))
        )
    finally:
        clock.now = now
    return issued.token


def _row(window: MainWindow, name: str) -> int:
    rows = [t.name for t in window.tokens_tab.model.rows]
    return rows.index(name)


@pytest.mark.parametrize(
    ("offset", "revoke", "status"),
    [
        (timedelta(0), False, TokenStatus.EXPIRED),  # exactly now
        (timedelta(seconds=-1), False, TokenStatus.EXPIRED),
        (SOON - timedelta(seconds=1), False, TokenStatus.EXPIRING_SOON),
        (SOON, False, TokenStatus.EXPIRING_SOON),
        (SOON + timedelta(seconds=1), False, TokenStatus.ACTIVE),
        (timedelta(days=-3), True, TokenStatus.REVOKED),  # revoked and expired at once
    ],
)
async def test_each_status_boundary_has_its_text_colour_and_icon(
    fake_backend: Backend,
    make_window: Any,
    clock: FrozenClock,
    offset: timedelta,
    revoke: bool,
    status: TokenStatus,
) -> None:
    owner = await _owner(fake_backend)
    token = await _issue(fake_backend, clock, owner, "t", seconds=offset.total_seconds())
    if revoke:
        await fake_backend.tokens.revoke(token.id, token.version)
    window: MainWindow = make_window(fake_backend)
    await _started(window)
    model = window.tokens_tab.model
    index = model.index(0, model.column_named("status"))
    assert index.data() == token_style.LABELS[status]
    assert index.data(Qt.ItemDataRole.ForegroundRole) == token_style.colour(status)
    icon = index.data(Qt.ItemDataRole.DecorationRole)
    assert icon.cacheKey() == token_style.icon(status).cacheKey()


def test_status_colours_differ_and_suit_light_and_dark_palettes() -> None:
    light, dark = QPalette(), QPalette()
    light.setColor(QPalette.ColorRole.Base, "#ffffff")
    dark.setColor(QPalette.ColorRole.Base, "#1e1e1e")
    for palette in (light, dark):
        colours = {token_style.colour(s, palette).name() for s in TokenStatus}
        assert len(colours) == len(TokenStatus)
        background = palette.color(QPalette.ColorRole.Base)
        for status in TokenStatus:
            assert _contrast(token_style.colour(status, palette), background) >= 4.5, status


def _contrast(a: Any, b: Any) -> float:
    def luminance(colour: Any) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(colour.redF())
            + 0.7152 * channel(colour.greenF())
            + (0.0722 * channel(colour.blueF()))
        )

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


async def test_quick_filters_show_counts_and_filter_the_table(
    fake_backend: Backend, make_window: Any, clock: FrozenClock
) -> None:
    owner = await _owner(fake_backend)
    await _issue(fake_backend, clock, owner, "old", days=-2)
    await _issue(fake_backend, clock, owner, "soon", days=3)
    await _issue(fake_backend, clock, owner, "later", days=40)
    gone = await _issue(fake_backend, clock, owner, "gone", days=20)
    await fake_backend.tokens.revoke(gone.id, gone.version)
    window: MainWindow = make_window(fake_backend)
    await _started(window)
    tab = window.tokens_tab
    assert tab.quick_buttons[QuickFilter.EXPIRED].text() == "Expired · 1"
    assert tab.quick_buttons[QuickFilter.EXPIRING].text() == "Expiring soon · 1"
    assert tab.quick_buttons[QuickFilter.REVOKED].text() == "Revoked · 1"
    assert window.tabs.tabText(1) == "&Tokens (1)"
    loaded = emitted(tab.loaded)
    press(tab, "tokens_quick_expiring")
    await loaded
    assert [t.name for t in tab.model.rows] == ["soon"]
    counted = emitted(tab.counted)
    tab.days.setValue(60)  # "expiring soon" now reaches 60 days
    await counted
    assert sorted(t.name for t in tab.model.rows) == ["later", "soon"]
    assert window.tabs.tabText(1) == "&Tokens (2)"


async def test_relative_times_refresh_without_asking_the_database(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any, clock: FrozenClock
) -> None:
    owner = await _owner(fake_backend)
    await _issue(fake_backend, clock, owner, "t", hours=2)
    window: MainWindow = make_window(fake_backend)
    await _started(window)
    model = window.tokens_tab.model
    expires = model.index(0, model.column_named("expires_at"))
    assert expires.data().startswith("in 2 hours")
    units = len(fake_db.units)
    clock.advance(timedelta(hours=3))
    changed = emitted(model.dataChanged)
    window.tokens_tab.ticker.timeout.emit()
    await changed
    assert expires.data().startswith("1 hour ago")
    assert model.index(0, model.column_named("status")).data() == "Expired"
    assert len(fake_db.units) == units


async def test_clicking_a_bar_lists_the_tokens_of_that_week(
    fake_backend: Backend, make_window: Any, clock: FrozenClock
) -> None:
    owner = await _owner(fake_backend)
    await _issue(fake_backend, clock, owner, "expired", days=-1)
    await _issue(fake_backend, clock, owner, "week 1", days=3)
    await _issue(fake_backend, clock, owner, "week 2", days=10)
    window: MainWindow = make_window(fake_backend)
    await _started(window)
    chart = window.tokens_tab.chart
    assert [b.count for b in chart.buckets[:3]] == [1, 1, 1]
    loaded = emitted(window.tokens_tab.loaded)
    chart.click(2)
    await loaded
    assert [t.name for t in window.tokens_tab.model.rows] == ["week 2"]
    loaded = emitted(window.tokens_tab.loaded)
    chart.click(0)
    await loaded
    assert [t.name for t in window.tokens_tab.model.rows] == ["expired"]
    loaded = emitted(window.tokens_tab.loaded)
    chart.click(0)  # again: back to all
    await loaded
    assert len(window.tokens_tab.model.rows) == 3


async def test_rotate_revokes_and_shows_the_successors_secret_once(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any, clock: FrozenClock
) -> None:
    owner = await _owner(fake_backend)
    await _issue(fake_backend, clock, owner, "deploy", days=20)
    window: MainWindow = make_window(fake_backend)
    await _started(window)
    tab = window.tokens_tab
    tab.view.selectRow(0)
    tab.rotate_action.trigger()
    press(await modal(QMessageBox, "confirm_dialog"), "confirm_yes")
    dialog = await modal(SecretDialog)
    secret = dialog.secret.text()
    active = [t for t in fake_db.tables.tokens.values() if t.revoked_at is None]
    assert [t.secret_hash for t in active] == [hash_secret(secret)]
    press(dialog, "secret_dialog_copy")
    assert QGuiApplication.clipboard().text() == secret
    assert "forgets it in 60 seconds" in dialog.copied.text()
    loaded = emitted(tab.loaded)
    dialog.reject()
    await loaded
    assert sorted(t.status(clock()) for t in tab.model.rows) == sorted(
        [TokenStatus.ACTIVE, TokenStatus.REVOKED]
    )


async def test_bulk_revoke_and_extend_ask_once_with_the_count(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any, clock: FrozenClock
) -> None:
    owner = await _owner(fake_backend)
    for n in range(3):
        await _issue(fake_backend, clock, owner, f"t{n}", days=n + 1)
    window: MainWindow = make_window(fake_backend)
    await _started(window)
    tab = window.tokens_tab
    tab.view.selectAll()
    tab.edit_action.trigger()
    dialog = await modal(BulkExtendDialog)
    dialog.save_button.click()
    await until(lambda: not dialog.isVisible(), what="the extend dialog to close")
    assert "Extended 3 tokens." in window.statusBar().currentMessage()
    tab.view.selectAll()
    tab.revoke_action.trigger()
    box = await modal(QMessageBox, "confirm_dialog")
    assert box.text() == "Revoke 3 tokens?"
    press(box, "confirm_yes")
    await until(lambda: "Revoked 3 tokens." in window.statusBar().currentMessage())
    assert all(t.revoked_at is not None for t in fake_db.tables.tokens.values())
    revoked = [tab.model.index(n, 0).data(ROW_ROLE).revoked_by for n in range(3)]
    assert set(revoked) == {"tessera"}


async def test_the_users_tab_counts_tokens_needing_attention(
    fake_backend: Backend, make_window: Any, clock: FrozenClock
) -> None:
    owner = await _owner(fake_backend)
    await _issue(fake_backend, clock, owner, "a", days=-1)
    await _issue(fake_backend, clock, owner, "b", days=-2)
    await _issue(fake_backend, clock, owner, "c", days=2)
    window: MainWindow = make_window(fake_backend)
    await _started(window)
    model = window.users_tab.model
    cell = model.index(0, model.column_named("tokens"))
    assert cell.data() == "2 expired · 1 expiring soon"
