"""Keyset paging visits every row exactly once, in order, even while rows come and go.

Tokens are walked by every sortable key in both directions, 37 rows a page, over values
with many ties (a handful of names and expiry instants), with rows inserted and deleted
on both sides of the cursor between pages. Rows present for the whole walk must each be
seen once; no row may be seen twice; the order must hold across page boundaries.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.paging import PageRequest
from app.domain.tokens import SORTS, NewToken, Token, TokenFilter
from app.domain.users import UserDraft
from app.infrastructure.uow import SqlUnitOfWork

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
PAGE = 37
UowFactory = Callable[[], SqlUnitOfWork]


class _Tokens:
    """Adds tokens with deliberately tied names and instants."""

    def __init__(self, owner_id: int, rng: random.Random) -> None:
        self.owner_id = owner_id
        self.rng = rng
        self.made = 0

    async def add(self, uow: SqlUnitOfWork) -> Token:
        self.made += 1
        n = self.made
        return await uow.tokens.add(
            NewToken(
                owner_id=self.owner_id,
                name=self.rng.choice(["alpha", "beta", "Beta", "gamma", "Ωmega", "토큰"]),
                prefix=f"tsr_{n:08d}",
                secret_hash=f"{n:064x}",
                created_at=NOW - timedelta(days=self.rng.randrange(5)),
                expires_at=NOW + timedelta(hours=self.rng.randrange(1, 7)),
            ),
            NOW,
        )


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("sort", sorted(SORTS))
async def test_every_row_once_in_order_while_rows_come_and_go(
    uow_factory: UowFactory, sort: str, descending: bool
) -> None:
    rng = random.Random(f"{sort}-{descending}")  # noqa: S311 - test data, not secrets
    async with uow_factory() as uow:
        owner = await uow.users.add(UserDraft(email="pager@example.org", display_name="P"), NOW)
        maker = _Tokens(owner.id, rng)
        for _ in range(400):
            await maker.add(uow)
        await uow.commit()

    seen: list[Token] = []
    deleted: set[int] = set()
    inserted: set[int] = set()
    request = PageRequest(sort=sort, descending=descending, limit=PAGE)
    while True:
        async with uow_factory() as uow:
            page = await uow.tokens.list(TokenFilter(), request)
        seen.extend(page.items)
        if page.next_cursor is None:
            break
        request = request.next(page.next_cursor)
        async with uow_factory() as uow:  # someone else works between our pages
            for _ in range(3):
                inserted.add((await maker.add(uow)).id)
            everything = await uow.tokens.list(TokenFilter(), PageRequest(limit=5_000))
            victims = rng.sample([t for t in everything.items if t.id not in deleted], 2)
            for victim in victims:
                await uow.tokens.delete(victim.id, victim.version)
                deleted.add(victim.id)
            await uow.commit()

    ids = [t.id for t in seen]
    assert len(ids) == len(set(ids)), "a row was shown twice"
    async with uow_factory() as uow:  # the server's own order (its collation for names)
        final = await uow.tokens.list(TokenFilter(), PageRequest(sort, descending, limit=5_000))
    place = {t.id: n for n, t in enumerate(final.items)}
    still_there = [place[i] for i in ids if i in place]
    assert still_there == sorted(still_there), "rows out of order across pages"
    survivors = set(place) - inserted
    assert survivors <= set(ids), "a row present throughout the walk was never shown"
    assert len(seen) > 400 - len(deleted)  # the walk also met some of the new rows
