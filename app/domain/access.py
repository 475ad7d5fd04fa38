"""What the connected database role may do, learned when Tessera connects."""

from __future__ import annotations

from dataclasses import dataclass

SHOWS_ONLY = "Tessera shows the data but will not change it."


@dataclass(frozen=True, slots=True)
class Access:
    """Whether Tessera may write, and if not, why, in words for the window's banner.

    Attributes:
        can_write: the role may insert, update and delete in every table, on a server
            that accepts writes.
        reason: why not ("" when it may).
    """

    can_write: bool
    reason: str = ""


WRITABLE = Access(can_write=True)


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def judge_access(
    role: str,
    standby: bool,
    read_only_transactions: bool,
    denied: list[str],
    tables: list[str],
) -> Access:
    """The verdict from what the server said, the first reason that applies first.

    Args:
        role: the role connected (``current_user``).
        standby: the server is in recovery (a hot standby): it refuses every write.
        read_only_transactions: transactions are read-only by default or now.
        denied: the tables the role may not insert, update or delete in.
        tables: every table Tessera writes.

    Returns:
        Writable, or read-only with the reason.
    """
    if standby:
        return Access(False, f"The server is a standby that only follows its primary: {SHOWS_ONLY}")
    if read_only_transactions:
        return Access(
            False,
            f"The server makes every transaction of “{role}” read-only "
            f"(default_transaction_read_only): {SHOWS_ONLY}",
        )
    if set(denied) >= set(tables):
        return Access(
            False, f"Connected as “{role}”, which may only read these tables: {SHOWS_ONLY}"
        )
    if denied:
        return Access(
            False, f"Connected as “{role}”, which may only read {_listed(denied)}: {SHOWS_ONLY}"
        )
    return WRITABLE
