"""What the connected database role may do, learned when Tessera connects."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.domain.changes import Entity

SHOWS_ONLY = "Tessera shows the data but will not change it."
OFFERS_ONLY = "Tessera offers only what it may do."


class Privilege(StrEnum):
    """A kind of write, as PostgreSQL grants it on a table."""

    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"


EVERY_WRITE = frozenset(Privilege)
NO_WRITE: frozenset[Privilege] = frozenset()

#: The table each kind of record lives in, as the role's privileges are named.
TABLES = {Entity.USER: "users", Entity.TOKEN: "tokens", Entity.EVENT: "events"}

# How a privilege reads in the wording: "may add and change tokens".
_VERBS = {Privilege.INSERT: "add", Privilege.UPDATE: "change", Privilege.DELETE: "delete"}


@dataclass(frozen=True, slots=True)
class Access:
    """Whether Tessera may write, and if not, what it may still do and why, in words.

    Attributes:
        can_write: the role may insert, update and delete in every table, on a server
            that accepts writes.
        reason: why not, saying what the role may do ("" when it may do everything).
        granted: the (table, privilege) pairs held when ``can_write`` is False; empty
            when nothing may be written at all.
    """

    can_write: bool
    reason: str = ""
    granted: frozenset[tuple[str, Privilege]] = frozenset()

    def privileges(self, table: str) -> frozenset[Privilege]:
        """The writes the role may make in ``table``."""
        if self.can_write:
            return EVERY_WRITE
        return frozenset(p for t, p in self.granted if t == table)

    def of(self, entity: Entity) -> frozenset[Privilege]:
        """The writes the role may make to records of ``entity``."""
        return self.privileges(TABLES[entity])


WRITABLE = Access(can_write=True)


def _listed(names: Sequence[str], last: str = "and") -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {last} {names[-1]}"


def _verbs(privileges: Collection[Privilege], last: str = "and") -> str:
    return _listed([_VERBS[p] for p in Privilege if p in privileges], last)


def _clause(held: frozenset[Privilege], tables: list[str]) -> str:
    names = _listed(tables)
    if not held:
        return f"may only read {names}"
    if held == EVERY_WRITE:
        return f"may {_verbs(held)} {names}"
    return f"may {_verbs(held)} {names} but not {_verbs(EVERY_WRITE - held, 'or')} them"


def _what_it_may_do(role: str, held: Mapping[str, frozenset[Privilege]], tables: list[str]) -> str:
    groups: dict[frozenset[Privilege], list[str]] = {}
    for table in tables:
        groups.setdefault(held.get(table, NO_WRITE), []).append(table)
    # The most a role may do first; tables it may only read last.
    ordered = sorted(groups.items(), key=lambda item: (-len(item[0]), tables.index(item[1][0])))
    clauses = "; ".join(_clause(privileges, names) for privileges, names in ordered)
    return f"Connected as “{role}”, which {clauses}. {OFFERS_ONLY}"


def judge_access(
    role: str,
    standby: bool,
    read_only_transactions: bool,
    held: Mapping[str, Collection[Privilege]],
    tables: list[str],
) -> Access:
    """The verdict from what the server said, the first reason that applies first.

    Args:
        role: the role connected (``current_user``).
        standby: the server is in recovery (a hot standby): it refuses every write.
        read_only_transactions: transactions are read-only by default or now.
        held: for each table, the privileges the role holds on it.
        tables: every table Tessera writes.

    Returns:
        Writable; or what may still be written, with the words that say so.
    """
    if standby:
        return Access(False, f"The server is a standby that only follows its primary: {SHOWS_ONLY}")
    if read_only_transactions:
        return Access(
            False,
            f"The server makes every transaction of “{role}” read-only "
            f"(default_transaction_read_only): {SHOWS_ONLY}",
        )
    privileges = {t: frozenset(held.get(t, ())) & EVERY_WRITE for t in tables}
    if all(p == EVERY_WRITE for p in privileges.values()):
        return WRITABLE
    if not any(privileges.values()):
        return Access(
            False, f"Connected as “{role}”, which may only read these tables: {SHOWS_ONLY}"
        )
    granted = frozenset((t, p) for t, held_here in privileges.items() for p in held_here)
    return Access(False, _what_it_may_do(role, privileges, tables), granted)
