"""The tokens port: its keys and checks, the status rules in SQL, the figures, bulk writes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from app.domain.errors import AlreadyExists, Conflict, InvalidInput, InvalidReference, NotFound
from app.domain.paging import PageRequest
from app.domain.ports import UnitOfWork
from app.domain.tokens import (
    ExpiryBucket,
    QuickFilter,
    Token,
    TokenFilter,
    TokenHealth,
    TokenStatus,
)
from app.domain.users import User
from tests.contract.rows import DAY, NOW, new_token, secret_hash, token, user

UowFactory = Callable[[], UnitOfWork]
SOON = timedelta(days=7)
SECOND = timedelta(seconds=1)
EVERYTHING = PageRequest(limit=5_000)


async def test_token_is_expired_after_round_trip(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        kim = await user(uow)
        added = await token(uow, kim, 1, 2 * timedelta(hours=1))
        loaded = await uow.tokens.get(added.id)
        by_hash = await uow.tokens.get_by_hash(secret_hash(1))
        no_hash = await uow.tokens.get_by_hash(secret_hash(2))
    assert loaded == added
    assert (loaded.version, loaded.last_used_at, loaded.revoked_at) == (1, None, None)
    assert loaded.scopes == ("read", "write")
    assert by_hash == loaded
    assert no_hash is None
    assert not loaded.is_expired(NOW + timedelta(hours=2) - timedelta(microseconds=1))
    assert loaded.is_expired(NOW + timedelta(hours=2))
    assert loaded.status(NOW) is TokenStatus.EXPIRING_SOON


async def test_dangling_owner_is_invalid_reference(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        with pytest.raises(InvalidReference) as caught:
            await uow.tokens.add(new_token(424_242, 1, DAY), NOW)
    assert caught.value.field == "owner_id"


async def test_a_second_token_with_the_same_secret_hash_is_already_exists(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        kim = await user(uow)
        await token(uow, kim, 1, DAY)
        with pytest.raises(AlreadyExists) as caught:
            await uow.tokens.add(new_token(kim.id, 1, 2 * DAY, name="again"), NOW)
    assert caught.value.field == "secret_hash"


async def test_a_token_must_expire_after_it_is_created(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        kim = await user(uow)
        with pytest.raises(InvalidInput) as on_add:
            await token(uow, kim, 1, timedelta(0), created_at=NOW)
    async with uow_factory() as uow:
        kim = await user(uow)
        made = await token(uow, kim, 2, DAY, created_at=NOW)
        with pytest.raises(InvalidInput) as on_update:
            await uow.tokens.update(made.id, 1, {"expires_at": NOW - SECOND}, NOW)
    assert "expires_at" in on_add.value.errors
    assert "expires_at" in on_update.value.errors


async def test_update_changes_the_token_and_guards_its_version(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        kim = await user(uow)
        made = await token(uow, kim, 1, DAY)
        revoked = await uow.tokens.update(
            made.id, 1, {"revoked_at": NOW, "revoked_by": "ana"}, NOW + DAY
        )
        with pytest.raises(Conflict):
            await uow.tokens.update(made.id, 1, {"name": "lost"}, NOW)
        with pytest.raises(NotFound):
            await uow.tokens.update(987_654_321, 1, {"name": "x"}, NOW)
        assert await uow.tokens.get(made.id) == revoked
    assert (revoked.version, revoked.revoked_at, revoked.revoked_by) == (2, NOW, "ana")
    assert revoked.model_dump(exclude={"version", "revoked_at", "revoked_by"}) == made.model_dump(
        exclude={"version", "revoked_at", "revoked_by"}
    )


async def test_delete_is_guarded_by_version(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        kim = await user(uow)
        made = await token(uow, kim, 1, DAY)
        moved = await uow.tokens.update(made.id, 1, {"name": "moved"}, NOW)
        with pytest.raises(Conflict):
            await uow.tokens.delete(made.id, 1)
        with pytest.raises(NotFound):
            await uow.tokens.delete(987_654_321, 1)
        assert await uow.tokens.get(made.id) == moved
        await uow.tokens.delete(made.id, 2)
        with pytest.raises(NotFound):
            await uow.tokens.get(made.id)


async def test_token_status_filter_matches_domain_rule(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        kim = await user(uow)
        offsets = [-SECOND, timedelta(0), SECOND, SOON, SOON + SECOND, timedelta(days=30)]
        tokens = [await token(uow, kim, n, offset) for n, offset in enumerate(offsets)]
        tokens[-1] = await uow.tokens.update(tokens[-1].id, 1, {"revoked_at": NOW}, NOW)
        for status in TokenStatus:
            wanted = TokenFilter(
                owner_id=kim.id, statuses=frozenset({status}), as_of=NOW, soon=SOON
            )
            page = await uow.tokens.list(wanted, PageRequest(sort="expires_at", limit=50))
            expected = {t.id for t in tokens if t.status(NOW, SOON) is status}
            assert {t.id for t in page.items} == expected, status
            assert await uow.tokens.count(wanted) == len(expected)
            assert expected, f"the seed should cover {status}"
        both = frozenset({TokenStatus.EXPIRED, TokenStatus.REVOKED})
        either = TokenFilter(owner_id=kim.id, statuses=both, as_of=NOW, soon=SOON)
        assert {t.id for t in (await uow.tokens.list(either, EVERYTHING)).items} == {
            tokens[0].id,
            tokens[1].id,
            tokens[5].id,
        }


async def test_a_status_or_quick_filter_needs_a_moment(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        kim = await user(uow)
        await token(uow, kim, 1, DAY)
        for filter in (
            TokenFilter(statuses=frozenset({TokenStatus.ACTIVE})),
            TokenFilter(quick=QuickFilter.EXPIRED),
        ):
            with pytest.raises(ValueError, match="as_of"):
                await uow.tokens.list(filter, PageRequest())


async def _quick_seed(uow: UnitOfWork) -> tuple[User, dict[str, Token]]:
    """Tokens on each side of every quick filter's boundaries (seven days of "soon")."""
    kim, ana = await user(uow, "kim"), await user(uow, "ana")
    old = NOW - 200 * DAY
    made = {
        "expired": await token(uow, kim, 1, -SECOND, created_at=old),
        "expires_now": await token(uow, kim, 2, timedelta(0), created_at=old),
        "expiring": await token(uow, kim, 3, SECOND, created_at=old),
        "expiring_last": await token(uow, kim, 4, SOON, created_at=old),
        "active": await token(uow, kim, 5, SOON + SECOND, created_at=old),
        "revoked": await token(uow, kim, 6, 30 * DAY, created_at=old),
        "anas": await token(uow, ana, 7, 30 * DAY),
    }
    used = {"expiring": NOW - 90 * DAY, "active": NOW - DAY}
    for key, when in used.items():
        made[key] = await uow.tokens.update(made[key].id, 1, {"last_used_at": when}, NOW)
    made["revoked"] = await uow.tokens.update(made["revoked"].id, 1, {"revoked_at": NOW}, NOW)
    return kim, made


QUICK = {
    QuickFilter.EXPIRED: {"expired", "expires_now"},
    QuickFilter.EXPIRING: {"expiring", "expiring_last"},
    QuickFilter.ACTIVE: {"active", "anas"},
    QuickFilter.REVOKED: {"revoked"},
    QuickFilter.NEVER_USED: {"expired", "expires_now", "expiring_last", "anas"},
    # Used exactly 90 days ago is idle; never used counts from creation, 200 days ago.
    QuickFilter.IDLE: {"expiring", "expiring_last"},
}


async def test_quick_filters_list_count_and_quick_counts_agree(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        before = await uow.tokens.quick_counts(NOW, SOON, None)
        kim, made = await _quick_seed(uow)
        everyone = await uow.tokens.quick_counts(NOW, SOON, None)
        kims = await uow.tokens.quick_counts(NOW, SOON, kim.id)
        nobodys = await uow.tokens.quick_counts(NOW, SOON, 987_654_321)
        for quick, names in QUICK.items():
            owners = {made[name].owner_id for name in names}
            for owner in owners:
                wanted = TokenFilter(owner_id=owner, quick=quick, as_of=NOW, soon=SOON)
                listed = (await uow.tokens.list(wanted, EVERYTHING)).items
                expected = {made[n].id for n in names if made[n].owner_id == owner}
                assert {t.id for t in listed} == expected, quick
                assert await uow.tokens.count(wanted) == len(expected)
    mine = {quick: len(names) for quick, names in QUICK.items()}
    assert {quick: everyone[quick] - before[quick] for quick in QuickFilter} == mine
    assert kims == {quick: len(names - {"anas"}) for quick, names in QUICK.items()}
    assert nobodys == dict.fromkeys(QuickFilter, 0)


async def test_filters_search_name_and_prefix_and_expiry_range_half_open(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        kim, ana = await user(uow, "kim"), await user(uow, "ana")
        deploy = await token(uow, kim, 11, DAY, name="Deploy 100%")
        backup = await token(uow, kim, 22, 2 * DAY, name="backup")
        theirs = await token(uow, ana, 33, DAY, name="deploy")

        mine = {deploy.id, backup.id, theirs.id}

        async def ids(wanted: TokenFilter) -> list[int]:
            page = await uow.tokens.list(wanted, EVERYTHING)
            return [t.id for t in page.items if t.id in mine]

        assert await ids(TokenFilter(owner_id=kim.id)) == [deploy.id, backup.id]
        assert await ids(TokenFilter(search="DEPLOY")) == [deploy.id, theirs.id]
        assert await ids(TokenFilter(search="0%")) == [deploy.id]
        assert await ids(TokenFilter(search="tsr_00000022")) == [backup.id]
        assert await ids(TokenFilter(search="deploy", owner_id=ana.id)) == [theirs.id]
        one_day = TokenFilter(expires_from=NOW + DAY, expires_to=NOW + 2 * DAY)
        assert await ids(one_day) == [deploy.id, theirs.id]
        assert await ids(TokenFilter(expires_from=NOW + DAY + SECOND)) == [backup.id]
        assert await ids(TokenFilter(expires_to=NOW + DAY)) == []
        backups = TokenFilter(owner_id=kim.id, search="back", as_of=NOW)
        assert await ids(replace(backups, quick=QuickFilter.ACTIVE)) == []
        assert await ids(replace(backups, quick=QuickFilter.EXPIRING)) == [backup.id]


async def test_list_expiring_is_unrevoked_within_window_soonest_first(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        kim = await user(uow)
        in_3 = await token(uow, kim, 1, 3 * DAY)
        in_1 = await token(uow, kim, 2, DAY)
        await token(uow, kim, 3, 9 * DAY)
        await token(uow, kim, 4, -timedelta(hours=1))
        edge = await token(uow, kim, 6, 7 * DAY)
        await token(uow, kim, 7, timedelta(0))
        gone = await token(uow, kim, 5, 2 * DAY)
        await uow.tokens.update(gone.id, 1, {"revoked_at": NOW}, NOW)
        page = await uow.tokens.list_expiring(NOW, NOW + 7 * DAY, PageRequest(sort="expires_at"))
    mine = {in_3.id, in_1.id, edge.id, gone.id}
    assert [t.id for t in page.items if t.id in mine] == [in_1.id, in_3.id, edge.id]


async def test_expiry_histogram_buckets_and_boundaries(uow_factory: UowFactory) -> None:
    micro = timedelta(microseconds=1)
    async with uow_factory() as uow:
        before = await uow.tokens.expiry_histogram(NOW, DAY, 3, None)
        kim = await user(uow)
        offsets = [-SECOND, timedelta(0), SECOND, DAY, 2 * DAY - micro, 3 * DAY, 10 * DAY]
        for n, offset in enumerate(offsets):
            await token(uow, kim, n, offset, created_at=NOW - 10 * DAY)
        revoked = await token(uow, kim, 99, SECOND)
        await uow.tokens.update(revoked.id, 1, {"revoked_at": NOW}, NOW)
        kims = await uow.tokens.expiry_histogram(NOW, DAY, 3, kim.id)
        everyone = await uow.tokens.expiry_histogram(NOW, DAY, 3, None)
        none_ahead = await uow.tokens.expiry_histogram(NOW, DAY, 0, kim.id)
        nobody = await uow.tokens.expiry_histogram(NOW, DAY, 2, 987_654_321)
    assert kims == [
        ExpiryBucket(None, NOW, 2),
        ExpiryBucket(NOW, NOW + DAY, 1),
        ExpiryBucket(NOW + DAY, NOW + 2 * DAY, 2),
        ExpiryBucket(NOW + 2 * DAY, NOW + 3 * DAY, 0),
    ]
    assert [b.count - a.count for a, b in zip(before, everyone, strict=True)] == [2, 1, 2, 0]
    assert none_ahead == [ExpiryBucket(None, NOW, 2)]
    assert nobody == [
        ExpiryBucket(None, NOW, 0),
        ExpiryBucket(NOW, NOW + DAY, 0),
        ExpiryBucket(NOW + DAY, NOW + 2 * DAY, 0),
    ]


async def test_health_of_counts_each_owners_expired_and_expiring(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        kim, ana = await user(uow, "kim"), await user(uow, "ana")
        for n, offset in enumerate([-SECOND, timedelta(0), SECOND, SOON, SOON + SECOND]):
            await token(uow, kim, n, offset, created_at=NOW - 10 * DAY)
        revoked = await token(uow, kim, 9, -SECOND, created_at=NOW - 10 * DAY)
        await uow.tokens.update(revoked.id, 1, {"revoked_at": NOW}, NOW)
        await token(uow, ana, 10, 30 * DAY)
        health = await uow.tokens.health_of([kim.id, ana.id, 987_654_321], NOW, SOON)
        nothing = await uow.tokens.health_of([], NOW, SOON)
    assert health == {
        kim.id: TokenHealth(expired=2, expiring=2),
        ana.id: TokenHealth(0, 0),
        987_654_321: TokenHealth(0, 0),
    }
    assert nothing == {}


async def test_revoke_many_takes_the_unrevoked_tokens_still_at_their_version(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        kim = await user(uow)
        first, revoked, moved, last = [await token(uow, kim, n, DAY) for n in range(4)]
        revoked = await uow.tokens.update(revoked.id, 1, {"revoked_at": NOW - DAY}, NOW)
        moved = await uow.tokens.update(moved.id, 1, {"name": "moved"}, NOW)
        versions = {last.id: 1, revoked.id: 2, moved.id: 1, first.id: 1, 987_654_321: 1}
        done = await uow.tokens.revoke_many(versions, NOW, "ana")
        assert await uow.tokens.get(revoked.id) == revoked
        assert await uow.tokens.get(moved.id) == moved
        assert await uow.tokens.revoke_many({}, NOW, "ana") == []
    assert [t.id for t in done] == [first.id, last.id]
    assert [(t.version, t.revoked_at, t.revoked_by) for t in done] == [(2, NOW, "ana")] * 2
    assert (
        done[0].model_copy(update={"version": 1, "revoked_at": None, "revoked_by": None}) == first
    )


async def test_extend_many_moves_only_unrevoked_tokens_expiring_sooner_at_their_version(
    uow_factory: UowFactory,
) -> None:
    target = NOW + 30 * DAY
    async with uow_factory() as uow:
        kim = await user(uow)
        soon = await token(uow, kim, 1, DAY)
        later = await token(uow, kim, 2, 60 * DAY)
        revoked = await token(uow, kim, 3, DAY)
        moved = await token(uow, kim, 4, DAY)
        revoked = await uow.tokens.update(revoked.id, 1, {"revoked_at": NOW}, NOW)
        moved = await uow.tokens.update(moved.id, 1, {"name": "moved"}, NOW)
        versions = {soon.id: 1, later.id: 1, revoked.id: 2, moved.id: 1}
        done = await uow.tokens.extend_many(versions, target, NOW)
        untouched = await uow.tokens.get_many([later.id, revoked.id, moved.id])
        assert await uow.tokens.extend_many({}, target, NOW) == []
    assert [(t.id, t.expires_at, t.version) for t in done] == [(soon.id, target, 2)]
    assert untouched == [later, revoked, moved]


async def test_delete_many_takes_only_the_tokens_still_at_their_version(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        kim = await user(uow)
        kept, moved, gone = [await token(uow, kim, n, DAY) for n in range(3)]
        moved = await uow.tokens.update(moved.id, 1, {"name": "moved"}, NOW)
        await uow.tokens.delete(gone.id, 1)
        deleted = await uow.tokens.delete_many({moved.id: 1, kept.id: 1, gone.id: 1})
        left = await uow.tokens.get_many([kept.id, moved.id, gone.id])
    assert list(deleted) == [kept.id]
    assert left == [moved]


async def test_the_next_status_change_is_the_first_expiry_or_turn_to_expiring_soon(
    uow_factory: UowFactory,
) -> None:
    # Far past anything other tests leave committed (lifetimes are at most a year).
    later = NOW + timedelta(days=1_000)
    async with uow_factory() as uow:
        kim = await user(uow)
        assert await uow.tokens.next_status_change(later, SOON) is None
        soon = await token(uow, kim, 1, timedelta(days=1_003))  # already expiring soon
        await token(uow, kim, 2, timedelta(days=1_020))  # turns soon at day 1,013
        revoked = await token(uow, kim, 3, timedelta(days=1_001))
        await uow.tokens.revoke_many({revoked.id: revoked.version}, NOW, "ana")

        first = await uow.tokens.next_status_change(later, SOON)
        after_expiry = await uow.tokens.next_status_change(soon.expires_at, SOON)
    assert first == soon.expires_at
    assert after_expiry == NOW + timedelta(days=1_013)
