"""Token quick filters, histogram, health and bulk actions on PostgreSQL.

Every count the adapter makes is checked against the same rule written independently
in plain SQL here (interval arithmetic in the server, not cutoffs computed in Python).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.errors import InvalidInput
from app.domain.paging import PageRequest
from app.domain.tokens import (
    ExpiryBucket,
    NewToken,
    QuickFilter,
    Token,
    TokenFilter,
    TokenHealth,
)
from app.domain.users import UserDraft
from app.infrastructure.tables import tokens
from app.infrastructure.uow import SqlUnitOfWork
from app.services.tokens import TokenService
from tests.clock import FrozenClock

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
SOON = timedelta(days=7)
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
UowFactory = Callable[[], SqlUnitOfWork]

# The quick filters as a person would write them in SQL, judged at :now with 7 days of "soon".
PLAIN = {
    QuickFilter.EXPIRED: "revoked_at IS NULL AND expires_at <= :now",
    QuickFilter.EXPIRING: (
        "revoked_at IS NULL AND expires_at > :now AND expires_at <= :now + interval '7 days'"
    ),
    QuickFilter.ACTIVE: "revoked_at IS NULL AND expires_at > :now + interval '7 days'",
    QuickFilter.REVOKED: "revoked_at IS NOT NULL",
    QuickFilter.NEVER_USED: "revoked_at IS NULL AND last_used_at IS NULL",
    QuickFilter.IDLE: (
        "revoked_at IS NULL AND expires_at > :now "
        "AND coalesce(last_used_at, created_at) <= :now - interval '90 days'"
    ),
}


async def _plain_ids(connection: AsyncConnection, condition: str, **params: Any) -> set[int]:
    sql = f"SELECT id FROM tokens WHERE {condition}"  # noqa: S608 - the test's own SQL
    query = text(sql.replace(":now", "CAST(:now AS timestamptz)"))
    return set((await connection.execute(query, {"now": NOW, **params})).scalars())


async def _user(uow: SqlUnitOfWork, email: str) -> int:
    return (await uow.users.add(UserDraft(email=email, display_name=email), NOW)).id


async def _token(
    uow: SqlUnitOfWork,
    owner_id: int,
    expires_in: timedelta,
    *,
    created_ago: timedelta = 200 * DAY,
    used_ago: timedelta | None = None,
    revoked_ago: timedelta | None = None,
) -> Token:
    n = await uow.tokens.estimate_total() + await uow.tokens.count(TokenFilter()) + 1
    token = await uow.tokens.add(
        NewToken(
            owner_id=owner_id,
            name=f"token {n}",
            prefix=f"tsr_{n:08d}",
            secret_hash=f"{n + owner_id * 10_000:064x}",
            created_at=NOW - created_ago,
            expires_at=NOW + expires_in,
        ),
        NOW,
    )
    changes: dict[str, object] = {}
    if used_ago is not None:
        changes["last_used_at"] = NOW - used_ago
    if revoked_ago is not None:
        changes["revoked_at"] = NOW - revoked_ago
        changes["revoked_by"] = "seed"
    if changes:
        token = await uow.tokens.update(token.id, 1, changes, NOW)
    return token


async def _seed_mix(uow: SqlUnitOfWork) -> tuple[int, int]:
    """Two owners and tokens on every boundary of every quick filter."""
    kim, lee = await _user(uow, "kim@example.org"), await _user(uow, "lee@example.org")
    for owner in (kim, lee):
        await _token(uow, owner, timedelta(0), used_ago=DAY)  # expires exactly now
        await _token(uow, owner, -DAY, used_ago=200 * DAY)  # expired, long unused: not idle
        await _token(uow, owner, SECOND)  # expiring, never used, idle
        await _token(uow, owner, SOON - SECOND, used_ago=DAY)
        await _token(uow, owner, SOON, used_ago=DAY)  # the last instant of "expiring"
        await _token(uow, owner, SOON + SECOND, used_ago=DAY)  # active
        await _token(uow, owner, 100 * DAY, used_ago=91 * DAY)  # idle
        await _token(uow, owner, 100 * DAY, used_ago=89 * DAY)  # not idle
        await _token(uow, owner, 100 * DAY, used_ago=90 * DAY)  # idle from this instant
        await _token(uow, owner, 100 * DAY, created_ago=89 * DAY)  # never used, not idle
        await _token(uow, owner, -5 * DAY, revoked_ago=10 * DAY)  # revoked and expired
        await _token(uow, owner, 30 * DAY, revoked_ago=DAY)  # revoked, never used
    await _token(uow, kim, 3 * DAY, used_ago=DAY)  # kim has one more expiring
    return kim, lee


async def test_quick_counts_list_and_count_equal_plain_sql(
    uow_factory: UowFactory, connection: AsyncConnection
) -> None:
    async with uow_factory() as uow:
        kim, _ = await _seed_mix(uow)
        for owner in (None, kim):
            counts = await uow.tokens.quick_counts(NOW, SOON, owner)
            assert list(counts) == list(QuickFilter)
            for quick in QuickFilter:
                condition = PLAIN[quick] + ("" if owner is None else f" AND owner_id = {owner}")
                expected = await _plain_ids(connection, condition)
                assert expected, f"the seed should cover {quick}"
                chosen = TokenFilter(owner_id=owner, quick=quick, as_of=NOW, soon=SOON)
                page = await uow.tokens.list(chosen, PageRequest(sort="id", limit=200))
                assert counts[quick] == len(expected), quick
                assert await uow.tokens.count(chosen) == len(expected), quick
                assert {t.id for t in page.items} == expected, quick


async def test_quick_filter_combines_with_search_and_expiry_range(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        kim, _ = await _seed_mix(uow)
        window = TokenFilter(
            owner_id=kim,
            quick=QuickFilter.EXPIRING,
            expires_from=NOW + SECOND,
            expires_to=NOW + SOON,
            as_of=NOW,
            soon=SOON,
        )
        page = await uow.tokens.list(window, PageRequest(sort="expires_at"))
    assert [t.expires_at - NOW for t in page.items] == [SECOND, 3 * DAY, SOON - SECOND]


async def test_expires_range_is_half_open(
    uow_factory: UowFactory, connection: AsyncConnection
) -> None:
    async with uow_factory() as uow:
        await _seed_mix(uow)
        start, end = NOW, NOW + SOON
        found = await uow.tokens.list(
            TokenFilter(expires_from=start, expires_to=end), PageRequest(sort="id", limit=200)
        )
        only_from = await uow.tokens.count(TokenFilter(expires_from=end))
        expected = await _plain_ids(connection, "expires_at >= :now AND expires_at < :end", end=end)
        expected_from = await _plain_ids(connection, "expires_at >= :end", end=end)
    assert {t.id for t in found.items} == expected
    assert {t.expires_at - NOW for t in found.items} == {
        timedelta(0),
        SECOND,
        3 * DAY,
        SOON - SECOND,
    }
    assert only_from == len(expected_from)


async def test_expiry_histogram_buckets_and_boundaries(
    uow_factory: UowFactory, connection: AsyncConnection
) -> None:
    week = timedelta(days=7)
    async with uow_factory() as uow:
        kim, lee = await _seed_mix(uow)
        for offset in (week - SECOND, week, 3 * week + DAY, 8 * week - SECOND, 8 * week):
            await _token(uow, lee, offset)
        buckets = await uow.tokens.expiry_histogram(NOW, week, 8, None)
        kims = await uow.tokens.expiry_histogram(NOW, week, 8, kim)
        nobody = await uow.tokens.expiry_histogram(NOW, week, 2, 10**9)
        none_ahead = await uow.tokens.expiry_histogram(NOW, week, 0, None)
        await uow.commit()  # for the plain SQL below
    assert buckets[0] == ExpiryBucket(
        None, NOW, len(await _plain_ids(connection, PLAIN[QuickFilter.EXPIRED]))
    )
    assert [(b.starts, b.ends) for b in buckets[1:]] == [
        (NOW + i * week, NOW + (i + 1) * week) for i in range(8)
    ]
    for b in buckets[1:]:
        assert b.starts is not None
        plain = "revoked_at IS NULL AND expires_at > :now AND expires_at >= :s AND expires_at < :e"
        assert b.count == len(await _plain_ids(connection, plain, s=b.starts, e=b.ends)), b
    upcoming = "revoked_at IS NULL AND expires_at < :now + interval '56 days'"
    assert sum(b.count for b in buckets) == len(await _plain_ids(connection, upcoming))
    # Expiring exactly now counts as expired; a week's start is in it, its end is not:
    # (week - 1 s) is in the first week, (week) and SOON in the second, 8 weeks in none.
    assert [b.count for b in buckets] == [4, 6, 5, 0, 1, 0, 0, 0, 1]
    assert [b.count for b in kims] == [2, 3, 2, 0, 0, 0, 0, 0, 0]
    assert nobody == [
        ExpiryBucket(None, NOW, 0),
        *(ExpiryBucket(NOW + i * week, NOW + (i + 1) * week, 0) for i in range(2)),
    ]
    assert none_ahead == [buckets[0]]


async def test_health_of_each_owner_in_one_query(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        kim, lee = await _seed_mix(uow)
        loner = await _user(uow, "loner@example.org")
        health = await uow.tokens.health_of([kim, lee, loner, 10**9], NOW, SOON)
        nothing = await uow.tokens.health_of([], NOW, SOON)
    assert health == {
        kim: TokenHealth(expired=2, expiring=4),
        lee: TokenHealth(expired=2, expiring=3),
        loner: TokenHealth(0, 0),
        10**9: TokenHealth(0, 0),
    }
    assert nothing == {}


@contextmanager
def _statements(connection: AsyncConnection) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    target = connection.sync_connection
    assert target is not None
    event.listen(target, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(target, "before_cursor_execute", record)


async def _thousand(uow_factory: UowFactory, connection: AsyncConnection) -> tuple[int, list[int]]:
    async with uow_factory() as uow:
        owner = await _user(uow, "bulk@example.org")
        await uow.commit()
    rows = [
        {
            "owner_id": owner,
            "name": f"bulk {n}",
            "scopes": [],
            "prefix": f"tsr_{n:08d}",
            "secret_hash": f"{n:064x}",
            "created_at": NOW - DAY,
            "expires_at": NOW + (n % 20) * DAY,
        }
        for n in range(1, 1001)
    ]
    await connection.execute(insert(tokens), rows)
    ids = sorted(await _plain_ids(connection, f"owner_id = {owner}"))
    return owner, ids


async def test_revoke_many_of_1000_is_one_update_and_all_or_nothing(
    uow_factory: UowFactory, connection: AsyncConnection
) -> None:
    owner, ids = await _thousand(uow_factory, connection)
    later = NOW + timedelta(minutes=3)

    async def revoke_then_fail() -> None:
        async with uow_factory() as uow:
            assert len(await uow.tokens.revoke_many(dict.fromkeys(ids, 1), later, "ada")) == 1000
            raise RuntimeError("lost before commit")

    with pytest.raises(RuntimeError, match="before commit"):
        await revoke_then_fail()
    assert await _plain_ids(connection, f"owner_id = {owner} AND revoked_at IS NOT NULL") == set()

    with _statements(connection) as seen:
        async with uow_factory() as uow:
            revoked = await uow.tokens.revoke_many(dict.fromkeys(ids, 1), later, "ada")
            await uow.commit()
    updates = [s for s in seen if s.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1
    assert "unnest(" in updates[0]  # two array parameters, not one per row
    assert [t.id for t in revoked] == ids
    stamps = await connection.execute(
        text(
            "SELECT count(*), count(DISTINCT revoked_at), min(revoked_at), "
            "min(revoked_by), max(revoked_by), min(version), max(version) "
            "FROM tokens WHERE owner_id = :owner AND revoked_at IS NOT NULL"
        ),
        {"owner": owner},
    )
    assert tuple(stamps.one()) == (1000, 1, later, "ada", "ada", 2, 2)

    async with uow_factory() as uow:
        assert await uow.tokens.revoke_many(dict.fromkeys(ids, 2), later + DAY, "bob") == []
        assert await uow.tokens.revoke_many({}, later, "bob") == []


async def test_extend_many_skips_revoked_and_later_tokens(
    uow_factory: UowFactory, connection: AsyncConnection
) -> None:
    async with uow_factory() as uow:
        kim, _ = await _seed_mix(uow)
        mine = await uow.tokens.list(TokenFilter(owner_id=kim), PageRequest(sort="id", limit=200))
        target = NOW + 50 * DAY
        guard = {t.id: t.version for t in mine.items}
        extended = await uow.tokens.extend_many(guard, target, NOW)
        await uow.commit()
    expected = {t.id for t in mine.items if t.revoked_at is None and t.expires_at < target}
    assert {t.id for t in extended} == expected
    versions = {t.id: t.version + 1 for t in mine.items}
    assert [(t.expires_at, t.version) for t in extended] == [
        (target, versions[t.id]) for t in extended
    ]
    assert [t.id for t in extended] == sorted(expected)
    untouched = {t.id for t in mine.items} - expected
    assert untouched == await _plain_ids(
        connection, f"owner_id = {kim} AND (revoked_at IS NOT NULL OR expires_at > :t)", t=target
    )


async def test_rotate_leaves_exactly_one_active_successor(
    uow_factory: UowFactory, connection: AsyncConnection
) -> None:
    clock = FrozenClock(NOW)
    service = TokenService(uow_factory, clock, SOON, "ada")
    async with uow_factory() as uow:
        owner = await _user(uow, "rot@example.org")
        old = await uow.tokens.add(
            NewToken(
                owner_id=owner,
                name="Deploy",
                scopes=("deploy", "events:read"),
                prefix="tsr_rot00001",
                secret_hash="a" * 64,
                created_at=NOW - 10 * DAY,
                expires_at=NOW + 20 * DAY,
            ),
            NOW,
        )
        await uow.commit()
    clock.advance(timedelta(hours=1))

    issued = await service.rotate(old.id, old.version)

    rows = (
        await connection.execute(
            text(
                "SELECT id, name, scopes, revoked_at, revoked_by, expires_at - created_at "
                "FROM tokens WHERE owner_id = :owner ORDER BY id"
            ),
            {"owner": owner},
        )
    ).all()
    assert [tuple(r) for r in rows] == [
        (old.id, "Deploy", ["deploy", "events:read"], clock.now, "ada", 30 * DAY),
        (issued.token.id, "Deploy", ["deploy", "events:read"], None, None, 30 * DAY),
    ]
    assert await service.get(issued.token.id) == issued.token


async def test_revoked_by_is_limited_by_the_database_too(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        kim, _ = await _seed_mix(uow)
        page = await uow.tokens.list(TokenFilter(owner_id=kim), PageRequest(limit=1))
        first = page.items[0]
        with pytest.raises(InvalidInput) as caught:
            await uow.tokens.revoke_many({first.id: first.version}, NOW, "x" * 201)
    assert "revoked_by" in caught.value.errors
