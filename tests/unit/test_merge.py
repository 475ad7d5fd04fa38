"""Three-way comparison of an edit with the version saved meanwhile, and the merged save."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.domain.events import Event
from app.domain.merge import FieldDiff, Side, compare, resolve
from app.domain.users import Role, User

T0 = datetime(2026, 11, 20, 9, tzinfo=UTC)
WHEN = {"when": ("starts_at", "ends_at", "all_day")}


def _user(**changes: Any) -> User:
    fields: dict[str, Any] = {
        "id": 7,
        "email": "ada@example.org",
        "display_name": "Ada",
        "role": Role.MEMBER,
        "is_active": True,
        "created_at": T0,
        "updated_at": T0,
        "version": 1,
    }
    return User(**(fields | changes))


def _form(user: User, **changes: Any) -> dict[str, Any]:
    values = {f: getattr(user, f) for f in ("email", "display_name", "role", "is_active")}
    return values | changes


def _event(**changes: Any) -> Event:
    fields: dict[str, Any] = {
        "id": 3,
        "owner_id": 1,
        "title": "Review",
        "description": "",
        "location": "Room 1",
        "starts_at": T0,
        "ends_at": T0 + timedelta(hours=1),
        "all_day": False,
        "created_at": T0,
        "updated_at": T0,
        "version": 4,
    }
    return Event(**(fields | changes))


def _event_form(event: Event, **changes: Any) -> dict[str, Any]:
    names = ("owner_id", "title", "location", "starts_at", "ends_at", "all_day", "description")
    return {f: getattr(event, f) for f in names} | changes


def test_changes_on_different_fields_are_both_kept_by_default() -> None:
    base = _user()
    theirs = _user(role=Role.STAFF, version=2)
    mine = _form(base, display_name="Ada Lovelace")
    diffs = compare(base, mine, theirs)
    assert [(d.field, d.changed_by_me, d.changed_by_them, d.clash) for d in diffs] == [
        ("display_name", True, False, False),
        ("role", False, True, False),
    ]
    resolution = resolve(diffs, theirs, mine)
    # Only my field is written; theirs is already stored and must not be reverted.
    assert resolution.changes == {"display_name": "Ada Lovelace"}
    assert resolution.expected_version == 2
    assert resolution.values == _form(theirs, display_name="Ada Lovelace")


def test_fields_nobody_changed_are_left_out() -> None:
    base = _user()
    assert compare(base, _form(base), _user(version=2, updated_at=T0 + timedelta(1))) == []


def test_a_clash_defaults_to_mine_and_can_take_theirs() -> None:
    base = _user()
    theirs = _user(display_name="Ada King", version=5)
    mine = _form(base, display_name="Ada Lovelace")
    (diff,) = compare(base, mine, theirs)
    assert (diff.clash, diff.open, diff.default) == (True, True, Side.MINE)
    assert resolve([diff], theirs, mine).changes == {"display_name": "Ada Lovelace"}
    taken = resolve([diff], theirs, mine, {"display_name": Side.THEIRS})
    assert taken.changes == {}
    assert taken.values["display_name"] == "Ada King"


def test_choosing_mine_on_a_field_only_they_changed_puts_my_value_back() -> None:
    base = _user()
    theirs = _user(is_active=False, version=2)
    mine = _form(base)
    (diff,) = compare(base, mine, theirs)
    assert (diff.changed_by_me, diff.changed_by_them, diff.default) == (False, True, Side.THEIRS)
    assert resolve([diff], theirs, mine, {"is_active": Side.MINE}).changes == {"is_active": True}


def test_the_same_change_on_both_sides_is_no_clash_and_nothing_to_write() -> None:
    base = _user()
    theirs = _user(role=Role.ADMINISTRATOR, version=2)
    mine = _form(base, role=Role.ADMINISTRATOR)
    (diff,) = compare(base, mine, theirs)
    assert (diff.changed_by_me, diff.changed_by_them) == (True, True)
    assert (diff.clash, diff.open) == (False, False)
    assert resolve([diff], theirs, mine).changes == {}


def test_per_field_choices_mix_both_sides() -> None:
    base = _user()
    theirs = _user(display_name="Ada King", role=Role.STAFF, version=9)
    mine = _form(base, display_name="Ada Lovelace", role=Role.ADMINISTRATOR)
    diffs = compare(base, mine, theirs)
    assert all(d.clash for d in diffs)
    choices = {"display_name": Side.THEIRS, "role": Side.MINE}
    assert resolve(diffs, theirs, mine, choices).changes == {"role": Role.ADMINISTRATOR}


def test_grouped_fields_are_compared_and_chosen_as_one() -> None:
    base = _event()
    # They moved the event by a day; I made it all day on its original date.
    theirs = _event(starts_at=T0 + timedelta(1), ends_at=T0 + timedelta(1, hours=1), version=5)
    midnight = T0.replace(hour=0)
    mine = _event_form(base, starts_at=midnight, ends_at=midnight + timedelta(1), all_day=True)
    (diff,) = compare(base, mine, theirs, WHEN)
    assert (diff.field, diff.parts) == ("when", WHEN["when"])
    assert diff.clash
    assert diff.mine == (midnight, midnight + timedelta(1), True)
    # Their time span whole: never their start with my all-day flag.
    taken = resolve([diff], theirs, mine, {"when": Side.THEIRS})
    assert taken.changes == {}
    kept = resolve([diff], theirs, mine, {"when": Side.MINE})
    assert kept.changes == {
        "starts_at": midnight,
        "ends_at": midnight + timedelta(1),
        "all_day": True,
    }


def test_a_group_only_one_part_of_which_changed_writes_only_that_part() -> None:
    base = _event()
    theirs = _event(title="Design review", version=5)
    later = base.ends_at + timedelta(minutes=30)
    mine = _event_form(base, ends_at=later)
    diffs = compare(base, mine, theirs, WHEN)
    assert [d.field for d in diffs] == ["title", "when"]
    assert resolve(diffs, theirs, mine).changes == {"ends_at": later}


def test_field_diff_spreads_a_group_value_over_its_parts() -> None:
    diff = FieldDiff("when", (1, 2), (1, 3), (1, 2), ("a", "b"))
    assert diff.fields(diff.mine) == {"a": 1, "b": 3}
    assert FieldDiff("title", "a", "b", "a").fields("b") == {"title": "b"}
