"""The model holds a bounded window of pages: far pages are dropped and asked for again."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.domain.paging import Cursor
from app.domain.tokens import TokenHealth
from app.domain.users import User
from tests.gui.test_table_model import _user
from ui.tabs.columns import user_columns
from ui.tabs.table_model import GONE_TIP, LOADING, ROW_ROLE, RecordTableModel

SIZE = 10


def _no_health(user_id: int) -> TokenHealth | None:
    return None


def _page(number: int) -> list[User]:
    return [_user(number * SIZE + n + 1) for n in range(SIZE)]


def _after(number: int) -> Cursor:
    """The cursor after page ``number`` (keyset on id)."""
    return Cursor(value=(number + 1) * SIZE, id=(number + 1) * SIZE)


def _scrolled(pages: int, max_pages: int = 3) -> RecordTableModel[User]:
    model = RecordTableModel(user_columns(_no_health), max_pages=max_pages)
    model.reset(_page(0), has_more=True, next_cursor=_after(0))
    for number in range(1, pages):
        model.fetchMore()
        model.append(_page(number), has_more=True, next_cursor=_after(number))
    return model


def _look_at(model: RecordTableModel[User], row: int) -> object:
    return model.index(row, 0).data()


def test_scrolling_far_keeps_only_a_bounded_window(qtmodeltester: ModelTester) -> None:
    model = _scrolled(pages=10)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 10 * SIZE  # every row keeps its place in the view
    assert model.loaded_pages <= 3
    assert len(model.rows) <= 3 * SIZE
    assert _look_at(model, 0) == LOADING
    assert model.index(0, 0).data(ROW_ROLE) is None
    assert model.loaded_row(0) is None
    assert model.row(10 * SIZE - 1).id == 10 * SIZE  # the newest page is held


def test_a_dropped_page_is_asked_for_once_with_its_cursor(qtbot: QtBot) -> None:
    model = _scrolled(pages=6)
    asked: list[tuple[int, object]] = []
    model.page_wanted.connect(lambda page, cursor: asked.append((page, cursor)))
    _look_at(model, 2 * SIZE + 3)
    _look_at(model, 2 * SIZE + 4)  # same page, still on its way: not asked twice
    _look_at(model, 1)
    assert asked == [(2, _after(1)), (0, None)]
    with qtbot.waitSignal(model.dataChanged, timeout=1000):
        model.fill(2, _page(2))
    assert model.row(2 * SIZE + 3).id == 2 * SIZE + 4
    assert model.loaded_pages <= 3


def test_pages_are_dropped_and_refetched_under_the_model_tester(
    qtmodeltester: ModelTester,
) -> None:
    model = _scrolled(pages=4)
    qtmodeltester.check(model, force_py=True)  # keeps checking while the model changes
    wanted: list[int] = []
    model.page_wanted.connect(lambda page, cursor: wanted.append(page))
    for sweep in range(3):
        for row in range(0, model.rowCount(), SIZE // 2):
            _look_at(model, row)
            while wanted:
                page = wanted.pop()
                model.fill(page, _page(page))
        model.fetchMore()
        model.append(_page(4 + sweep), has_more=True, next_cursor=_after(4 + sweep))
    assert model.loaded_pages <= 3
    shown = {r: model.index(r, 0).data(ROW_ROLE) for r in range(model.rowCount())}
    held = {r: u.id for r, u in shown.items() if u is not None}
    assert held  # the pages in sight are there…
    assert all(ident == r + 1 for r, ident in held.items())  # …each row in its own place


def test_a_refetched_page_with_fewer_rows_shows_the_missing_ones_as_gone() -> None:
    model = _scrolled(pages=5)
    _look_at(model, 0)
    model.fill(0, _page(0)[:7])  # three rows were deleted by someone else meanwhile
    assert model.row(6).id == 7
    assert model.loaded_row(8) is None
    assert _look_at(model, 8) == ""
    assert model.index(8, 0).data(Qt.ItemDataRole.ToolTipRole) == GONE_TIP
    assert not model.flags(model.index(8, 0)) & Qt.ItemFlag.ItemIsSelectable
    assert model.flags(model.index(6, 0)) & Qt.ItemFlag.ItemIsSelectable


def test_pages_holding_selected_rows_are_kept() -> None:
    model = RecordTableModel(user_columns(_no_health), max_pages=2)
    model.keep = lambda first, last: first <= 5 <= last  # row 5 is selected
    model.reset(_page(0), has_more=True, next_cursor=_after(0))
    for number in range(1, 6):
        model.append(_page(number), has_more=True, next_cursor=_after(number))
    assert model.row(5).id == 6
    assert model.loaded_pages == 2


def test_removing_rows_keeps_pages_aligned_with_their_cursors() -> None:
    model = _scrolled(pages=5)  # pages 2, 3 and 4 are held
    model.remove({2 * SIZE + 1, 2 * SIZE + 2})  # two rows of page 2 deleted here
    assert model.row(3 * SIZE - 2).id == 3 * SIZE + 1  # page 3 follows at once
    asked: list[tuple[int, object]] = []
    model.page_wanted.connect(lambda page, cursor: asked.append((page, cursor)))
    for page in (0, 1):  # looking back drops page 2 in its turn
        _look_at(model, page * SIZE)
        model.fill(page, _page(page))
    _look_at(model, 2 * SIZE)
    assert asked == [(0, None), (1, _after(0)), (2, _after(1))]
    model.fill(2, [u for u in _page(2) if u.id not in {2 * SIZE + 1, 2 * SIZE + 2}])
    assert [model.row(r).id for r in range(2 * SIZE, 3 * SIZE - 2)] == list(
        range(2 * SIZE + 3, 3 * SIZE + 1)
    )
