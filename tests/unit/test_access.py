"""The verdict on what the connected role may do, from what the server said."""

from __future__ import annotations

from app.domain.access import EVERY_WRITE, WRITABLE, Access, Privilege, judge_access
from app.domain.changes import Entity

TABLES = ["users", "tokens", "events"]
SHOWS_ONLY = "Tessera shows the data but will not change it."
OFFERS_ONLY = "Tessera offers only what it may do."
ALL = dict.fromkeys(TABLES, EVERY_WRITE)
NONE: dict[str, frozenset[Privilege]] = dict.fromkeys(TABLES, frozenset())


def test_a_role_with_every_privilege_on_a_primary_may_write() -> None:
    assert judge_access("ada", False, False, ALL, TABLES) == WRITABLE
    assert WRITABLE.of(Entity.TOKEN) == EVERY_WRITE


def test_a_standby_is_read_only_whatever_the_role_may_do() -> None:
    access = judge_access("ada", True, True, ALL, TABLES)
    assert access == Access(
        False, f"The server is a standby that only follows its primary: {SHOWS_ONLY}"
    )
    assert access.of(Entity.USER) == frozenset()


def test_read_only_transactions_come_before_privileges() -> None:
    access = judge_access("ada", False, True, ALL, TABLES)
    assert not access.can_write
    assert "default_transaction_read_only" in access.reason
    assert access.of(Entity.USER) == frozenset()


def test_a_role_that_may_only_read_every_table() -> None:
    assert judge_access("reader", False, False, NONE, TABLES) == Access(
        False, f"Connected as “reader”, which may only read these tables: {SHOWS_ONLY}"
    )


def test_a_role_that_may_only_update_users_is_told_and_given_exactly_that() -> None:
    held = {**NONE, "users": {Privilege.UPDATE}}
    access = judge_access("kim", False, False, held, TABLES)
    assert not access.can_write
    assert access.reason == (
        "Connected as “kim”, which may change users but not add or delete them; "
        f"may only read tokens and events. {OFFERS_ONLY}"
    )
    assert access.of(Entity.USER) == {Privilege.UPDATE}
    assert access.of(Entity.TOKEN) == access.of(Entity.EVENT) == frozenset()


def test_tables_written_in_full_in_part_and_not_at_all_each_get_their_clause() -> None:
    held = {
        "users": set(),
        "tokens": {Privilege.INSERT, Privilege.UPDATE},
        "events": EVERY_WRITE,
    }
    access = judge_access("ops", False, False, held, TABLES)
    assert access.reason == (
        "Connected as “ops”, which may add, change and delete events; "
        "may add and change tokens but not delete them; may only read users. "
        f"{OFFERS_ONLY}"
    )
    assert access.of(Entity.EVENT) == EVERY_WRITE
    assert access.of(Entity.TOKEN) == {Privilege.INSERT, Privilege.UPDATE}


def test_a_role_that_may_write_all_but_one_table() -> None:
    held = {**ALL, "users": frozenset()}
    assert judge_access("kim", False, False, held, TABLES).reason == (
        f"Connected as “kim”, which may add, change and delete tokens and events; "
        f"may only read users. {OFFERS_ONLY}"
    )
