"""Planning an undo from the change log: per row, from where it started to where it ended."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from app.domain.changes import Change, Entity, Operation
from app.domain.undo import NothingToUndo, Step, StepKind, UndoConflict, plan_undo, state_before

AT = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
_ids = iter(range(1, 10_000))


def change(
    entity: Entity,
    row_id: int,
    operation: Operation,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Change:
    return Change(
        id=next(_ids), changed_at=AT, xid=7, actor="ana", program="tessera", action="a1",
        entity=entity, row_id=row_id, owner_id=None, operation=operation,
        before=before, after=after,
    )  # fmt: skip


def test_an_edit_is_rewritten_to_the_old_values_guarded_by_the_new_version() -> None:
    edit = change(
        Entity.USER, 4, Operation.UPDATE,
        {"display_name": "Kim", "version": 2, "updated_at": "x"},
        {"display_name": "Kim Lee", "version": 3, "updated_at": "y"},
    )  # fmt: skip

    assert plan_undo([edit]) == [Step(StepKind.REWRITE, Entity.USER, 4, 3, {"display_name": "Kim"})]


def test_two_edits_of_one_row_go_back_to_the_first_values() -> None:
    first = change(Entity.TOKEN, 9, Operation.UPDATE, {"name": "a", "version": 1},
                   {"name": "b", "version": 2})  # fmt: skip
    second = change(Entity.TOKEN, 9, Operation.UPDATE, {"name": "b", "version": 2},
                    {"name": "c", "version": 3})  # fmt: skip

    [step] = plan_undo([second, first])

    assert (step.kind, step.version, step.values) == (StepKind.REWRITE, 3, {"name": "a"})


def test_a_created_row_is_removed_and_a_created_then_deleted_one_left_alone() -> None:
    made = change(Entity.EVENT, 5, Operation.INSERT, None, {"id": 5, "version": 1})
    brief = change(Entity.EVENT, 6, Operation.INSERT, None, {"id": 6, "version": 1})
    gone = change(Entity.EVENT, 6, Operation.DELETE, {"id": 6, "version": 1}, None)

    assert plan_undo([made, brief, gone]) == [Step(StepKind.REMOVE, Entity.EVENT, 5, 1, {})]


def test_a_deleted_user_comes_back_before_its_tokens_and_events() -> None:
    token = change(Entity.TOKEN, 3, Operation.DELETE, {"id": 3, "owner_id": 1})
    event = change(Entity.EVENT, 2, Operation.DELETE, {"id": 2, "owner_id": 1})
    user = change(Entity.USER, 1, Operation.DELETE, {"id": 1, "email": "k@x.org"})

    steps = plan_undo([token, event, user])

    assert [(s.kind, s.entity, s.row_id) for s in steps] == [
        (StepKind.RESTORE, Entity.USER, 1),
        (StepKind.RESTORE, Entity.EVENT, 2),
        (StepKind.RESTORE, Entity.TOKEN, 3),
    ]
    assert steps[0].values == {"id": 1, "email": "k@x.org"}


def test_children_go_before_their_parents_when_created_rows_are_removed() -> None:
    user = change(Entity.USER, 1, Operation.INSERT, None, {"version": 1})
    token = change(Entity.TOKEN, 3, Operation.INSERT, None, {"version": 1})

    assert [s.entity for s in plan_undo([user, token])] == [Entity.TOKEN, Entity.USER]


def test_a_row_edited_then_deleted_comes_back_as_it_was_before_the_edit() -> None:
    edit = change(Entity.USER, 1, Operation.UPDATE, {"role": "staff", "version": 1},
                  {"role": "member", "version": 2})  # fmt: skip
    delete = change(Entity.USER, 1, Operation.DELETE, {"id": 1, "role": "member", "version": 2})

    [step] = plan_undo([edit, delete])

    assert step.kind is StepKind.RESTORE
    assert step.values == {"id": 1, "role": "staff", "version": 1}


def test_nothing_logged_is_nothing_to_undo() -> None:
    with pytest.raises(NothingToUndo):
        plan_undo([])


def test_a_conflict_names_the_rows_and_how_many_more() -> None:
    steps = [Step(StepKind.REMOVE, Entity.TOKEN, i, 1, {}) for i in range(1, 8)]

    message = UndoConflict(steps).message

    assert "token #1, token #2, token #3, token #4, token #5 and 2 more" in message
    assert "Nothing was written" in message


def test_the_state_before_later_changes_takes_their_old_values_newest_first() -> None:
    older = change(Entity.USER, 1, Operation.UPDATE, {"display_name": "A"}, {"display_name": "B"})
    newer = change(Entity.USER, 1, Operation.UPDATE, {"display_name": "B"}, {"display_name": "C"})

    state = state_before({"id": 1, "display_name": "C"}, [newer, older])

    assert state == {"id": 1, "display_name": "A"}
