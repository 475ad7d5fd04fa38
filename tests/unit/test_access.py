"""The verdict on what the connected role may do, from what the server said."""

from __future__ import annotations

from app.domain.access import WRITABLE, Access, judge_access

TABLES = ["users", "tokens", "events"]
SHOWS_ONLY = "Tessera shows the data but will not change it."


def test_a_role_with_every_privilege_on_a_primary_may_write() -> None:
    assert judge_access("ada", False, False, [], TABLES) == WRITABLE


def test_a_standby_is_read_only_whatever_the_role_may_do() -> None:
    access = judge_access("ada", True, True, TABLES, TABLES)
    assert access == Access(
        False, f"The server is a standby that only follows its primary: {SHOWS_ONLY}"
    )


def test_read_only_transactions_come_before_privileges() -> None:
    access = judge_access("ada", False, True, ["users"], TABLES)
    assert not access.can_write
    assert "default_transaction_read_only" in access.reason


def test_privileges_missing_on_every_table_or_on_some() -> None:
    assert judge_access("reader", False, False, TABLES, TABLES).reason == (
        f"Connected as “reader”, which may only read these tables: {SHOWS_ONLY}"
    )
    assert judge_access("kim", False, False, ["users"], TABLES).reason == (
        f"Connected as “kim”, which may only read users: {SHOWS_ONLY}"
    )
    assert judge_access("kim", False, False, ["users", "tokens"], TABLES).reason == (
        f"Connected as “kim”, which may only read users and tokens: {SHOWS_ONLY}"
    )
