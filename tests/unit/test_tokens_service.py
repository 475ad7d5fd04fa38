from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.domain.errors import Conflict, InvalidInput, InvalidReference, NotAllowed, NotFound
from app.domain.paging import PageRequest
from app.domain.tokens import (
    MAX_LIFETIME,
    BulkResult,
    IssuedToken,
    TokenFilter,
    TokenRequest,
    TokenStatus,
)
from app.domain.users import User
from app.services.token_secrets import hash_secret, verify_secret
from app.services.tokens import TokenService
from tests.clock import FrozenClock
from tests.fakes import FakeUnitOfWorkFactory

DAY = timedelta(days=1)


async def issue(
    tokens: TokenService, owner: User, expires_at: datetime, name: str = "CI"
) -> IssuedToken:
    return await tokens.issue(TokenRequest(owner_id=owner.id, name=name, expires_at=expires_at))


async def test_issue_returns_the_secret_once_and_stores_only_its_hash(
    tokens: TokenService, owner: User, clock: FrozenClock, uow_factory: FakeUnitOfWorkFactory
) -> None:
    issued = await tokens.issue(
        TokenRequest(
            owner_id=owner.id,
            name="Deploy",
            scopes=("events:read",),
            expires_at=clock.now + 30 * DAY,
        )
    )

    stored = uow_factory.tables.tokens[issued.token.id]
    assert stored == issued.token
    assert hash_secret(issued.secret) == stored.secret_hash
    assert verify_secret(issued.secret, stored.secret_hash)
    assert issued.secret.startswith(stored.prefix)
    assert issued.secret not in stored.model_dump_json()
    assert issued.secret not in repr(stored)
    assert (stored.created_at, stored.version, stored.revoked_at) == (clock.now, 1, None)
    assert stored.scopes == ("events:read",)
    assert tokens.status(stored) is TokenStatus.ACTIVE


async def test_each_issue_has_a_new_secret(
    tokens: TokenService, owner: User, clock: FrozenClock
) -> None:
    first = await issue(tokens, owner, clock.now + DAY)
    second = await issue(tokens, owner, clock.now + DAY)

    assert first.secret != second.secret
    assert first.token.secret_hash != second.token.secret_hash


@pytest.mark.parametrize("offset", [timedelta(0), -timedelta(seconds=1)])
async def test_issue_refuses_an_expiry_not_in_the_future(
    tokens: TokenService, owner: User, clock: FrozenClock, offset: timedelta
) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        await issue(tokens, owner, clock.now + offset)

    assert excinfo.value.errors == {"expires_at": "The expiry must be in the future."}


async def test_issue_allows_exactly_the_maximum_lifetime_and_no_more(
    tokens: TokenService, owner: User, clock: FrozenClock
) -> None:
    await issue(tokens, owner, clock.now + MAX_LIFETIME)

    with pytest.raises(InvalidInput) as excinfo:
        await issue(tokens, owner, clock.now + MAX_LIFETIME + timedelta(seconds=1))

    assert "at most 365 days" in excinfo.value.errors["expires_at"]


async def test_issue_for_a_missing_owner_stores_nothing(
    tokens: TokenService, clock: FrozenClock, uow_factory: FakeUnitOfWorkFactory
) -> None:
    with pytest.raises(InvalidReference) as excinfo:
        await tokens.issue(TokenRequest(owner_id=99, name="CI", expires_at=clock.now + DAY))

    assert excinfo.value.field == "owner_id"
    assert "owner" in excinfo.value.message
    assert not uow_factory.last.committed
    assert uow_factory.tables.tokens == {}


async def test_revoke_stamps_now_and_cannot_be_repeated(
    tokens: TokenService, owner: User, clock: FrozenClock
) -> None:
    issued = await issue(tokens, owner, clock.now + DAY, name="Deploy")
    revoked_at = clock.advance(timedelta(minutes=5))

    revoked = await tokens.revoke(issued.token.id, issued.token.version)

    assert revoked.revoked_at == revoked_at
    assert revoked.version == 2
    assert tokens.status(revoked) is TokenStatus.REVOKED
    with pytest.raises(NotAllowed, match="“Deploy” was already revoked on 2030-03-14 09:35 UTC"):
        await tokens.revoke(revoked.id, revoked.version)


async def test_revoke_with_stale_version_conflicts(
    tokens: TokenService, owner: User, clock: FrozenClock
) -> None:
    issued = await issue(tokens, owner, clock.now + DAY)
    await tokens.extend(issued.token.id, 1, clock.now + 2 * DAY)

    with pytest.raises(Conflict):
        await tokens.revoke(issued.token.id, 1)

    assert (await tokens.get(issued.token.id)).revoked_at is None


async def test_extend_moves_the_expiry_later(
    tokens: TokenService, owner: User, clock: FrozenClock
) -> None:
    issued = await issue(tokens, owner, clock.now + DAY)
    seoul = timezone(timedelta(hours=9))
    new_expiry = (clock.now + 3 * DAY).astimezone(seoul)

    extended = await tokens.extend(issued.token.id, 1, new_expiry)

    assert extended.expires_at == new_expiry
    assert extended.expires_at.tzinfo is UTC
    assert extended.version == 2


async def test_revoked_token_cannot_be_extended(
    tokens: TokenService, owner: User, clock: FrozenClock
) -> None:
    issued = await issue(tokens, owner, clock.now + DAY)
    revoked = await tokens.revoke(issued.token.id, 1)

    with pytest.raises(NotAllowed, match="revoked and cannot be extended"):
        await tokens.extend(revoked.id, revoked.version, clock.now + 2 * DAY)


@pytest.mark.parametrize("delta", [timedelta(0), -timedelta(hours=1)])
async def test_extend_must_be_later_than_the_current_expiry(
    tokens: TokenService, owner: User, clock: FrozenClock, delta: timedelta
) -> None:
    issued = await issue(tokens, owner, clock.now + DAY)

    with pytest.raises(InvalidInput) as excinfo:
        await tokens.extend(issued.token.id, 1, issued.token.expires_at + delta)

    assert set(excinfo.value.errors) == {"expires_at"}
    assert "later than the current one (2030-03-15 09:30 UTC)" in excinfo.value.errors["expires_at"]


async def test_extend_is_capped_at_the_maximum_lifetime_from_now(
    tokens: TokenService, owner: User, clock: FrozenClock
) -> None:
    issued = await issue(tokens, owner, clock.now + DAY)
    clock.advance(10 * DAY)

    await tokens.extend(issued.token.id, 1, clock.now + MAX_LIFETIME)
    with pytest.raises(InvalidInput) as excinfo:
        await tokens.extend(issued.token.id, 2, clock.now + MAX_LIFETIME + timedelta(seconds=1))

    assert "until 2031-03-24 09:30 UTC" in excinfo.value.errors["expires_at"]


async def test_expired_token_can_be_revived_into_the_future_only(
    tokens: TokenService, owner: User, clock: FrozenClock
) -> None:
    issued = await issue(tokens, owner, clock.now + DAY)
    clock.advance(5 * DAY)
    assert tokens.status(issued.token) is TokenStatus.EXPIRED

    with pytest.raises(InvalidInput) as excinfo:
        await tokens.extend(issued.token.id, 1, clock.now - DAY)
    assert excinfo.value.errors["expires_at"].startswith("The new expiry must be in the future")

    revived = await tokens.extend(issued.token.id, 1, clock.now + 30 * DAY)
    assert tokens.status(revived) is TokenStatus.ACTIVE


async def test_extend_refuses_a_naive_time(
    tokens: TokenService, owner: User, clock: FrozenClock
) -> None:
    issued = await issue(tokens, owner, clock.now + DAY)

    with pytest.raises(InvalidInput) as excinfo:
        await tokens.extend(issued.token.id, 1, datetime(2030, 4, 1))  # noqa: DTZ001

    assert excinfo.value.errors == {"expires_at": "A time zone is required."}


async def test_extend_missing_token_is_not_found(tokens: TokenService, clock: FrozenClock) -> None:
    with pytest.raises(NotFound, match="Token 5"):
        await tokens.extend(5, 1, clock.now + DAY)


async def test_status_uses_the_services_threshold(
    uow_factory: FakeUnitOfWorkFactory, owner: User, clock: FrozenClock
) -> None:
    strict = TokenService(uow_factory, clock, soon=timedelta(hours=1))
    issued = await issue(strict, owner, clock.now + 2 * timedelta(hours=1))

    active = TokenFilter(statuses=frozenset({TokenStatus.ACTIVE}))

    assert strict.status(issued.token) is TokenStatus.ACTIVE
    # The list agrees with status(): same clock, same threshold.
    assert await strict.count(active) == 1
    clock.advance(timedelta(hours=1))
    assert strict.status(issued.token) is TokenStatus.EXPIRING_SOON
    assert await strict.count(active) == 0


async def test_list_judges_statuses_at_the_clocks_now(
    tokens: TokenService, owner: User, clock: FrozenClock
) -> None:
    short = await issue(tokens, owner, clock.now + DAY, name="short")
    soon = await issue(tokens, owner, clock.now + 5 * DAY, name="soon")
    long = await issue(tokens, owner, clock.now + 90 * DAY, name="long")
    gone = await issue(tokens, owner, clock.now + 90 * DAY, name="gone")
    await tokens.revoke(gone.token.id, 1)
    clock.advance(2 * DAY)

    async def names(*statuses: TokenStatus) -> list[str]:
        query = TokenFilter(statuses=frozenset(statuses))
        page = await tokens.reports.list(query, PageRequest(sort="name"))
        assert await tokens.count(query) == len(page.items)
        return [t.name for t in page.items]

    assert await names(TokenStatus.EXPIRED) == [short.token.name]
    assert await names(TokenStatus.EXPIRING_SOON) == [soon.token.name]
    assert await names(TokenStatus.ACTIVE) == [long.token.name]
    assert await names(TokenStatus.REVOKED, TokenStatus.EXPIRED) == ["gone", "short"]
    assert len(await names()) == 4


async def test_list_searches_name_and_prefix(
    tokens: TokenService, owner: User, clock: FrozenClock
) -> None:
    deploy = await issue(tokens, owner, clock.now + DAY, name="Deploy bot")
    await issue(tokens, owner, clock.now + DAY, name="Backup")

    by_name = await tokens.reports.list(TokenFilter(search="deploy"), PageRequest())
    by_prefix = await tokens.reports.list(TokenFilter(search=deploy.token.prefix), PageRequest())

    assert [t.id for t in by_name.items] == [deploy.token.id]
    assert [t.id for t in by_prefix.items] == [deploy.token.id]


async def test_list_expiring_is_unrevoked_unexpired_and_soonest_first(
    tokens: TokenService, owner: User, clock: FrozenClock
) -> None:
    expired = await issue(tokens, owner, clock.now + timedelta(hours=1), name="expired")
    later = await issue(tokens, owner, clock.now + 3 * DAY, name="a later")
    edge = await issue(tokens, owner, clock.now + 2 * DAY, name="z edge")
    revoked = await issue(tokens, owner, clock.now + 2 * DAY, name="revoked")
    await issue(tokens, owner, clock.now + 10 * DAY, name="far")
    await tokens.revoke(revoked.token.id, 1)
    clock.advance(DAY)

    # Asked by name, still served by expiry so the cursor stays meaningful.
    first = await tokens.list_expiring(2 * DAY, PageRequest(sort="name", limit=1))
    assert first.next_cursor is not None
    rest = await tokens.list_expiring(
        2 * DAY, PageRequest(sort="name", limit=1).next(first.next_cursor)
    )

    assert [t.id for t in first.items + rest.items] == [edge.token.id, later.token.id]
    assert rest.next_cursor is None
    assert expired.token.id not in {t.id for t in first.items + rest.items}


async def test_delete_many_removes_the_token_guarded_by_version(
    tokens: TokenService, owner: User, clock: FrozenClock
) -> None:
    issued = await issue(tokens, owner, clock.now + DAY)
    revoked = await tokens.revoke(issued.token.id, 1)

    # The copy at version 1 is out of date: the token is reported changed and kept.
    assert await tokens.delete_many([issued.token]) == BulkResult(stale=(revoked,))
    assert await tokens.get(issued.token.id) == revoked
    assert await tokens.delete_many([revoked]) == BulkResult(done=(revoked,))

    with pytest.raises(NotFound):
        await tokens.get(issued.token.id)
