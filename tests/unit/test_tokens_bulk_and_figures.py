"""TokenService: revoked_by, rotate, bulk revoke/extend and the figures of the Tokens tab."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from app.domain.paging import PageRequest
from app.domain.tokens import (
    IDLE_AFTER,
    MAX_LIFETIME,
    BulkResult,
    QuickFilter,
    TokenFilter,
    TokenHealth,
    TokenRequest,
)
from app.domain.users import User, UserDraft
from app.services.token_secrets import hash_secret
from app.services.tokens import TokenService
from app.services.users import UserService
from tests.clock import FrozenClock
from tests.fakes import FakeUnitOfWorkFactory
from tests.unit.test_tokens_service import DAY, issue


@pytest.fixture
def ada(uow_factory: FakeUnitOfWorkFactory, clock: FrozenClock) -> TokenService:
    """A token service used by the person "ada"."""
    return TokenService(uow_factory, clock, timedelta(days=7), "ada")


async def test_revoke_records_who_revoked(
    ada: TokenService, owner: User, clock: FrozenClock, tokens: TokenService
) -> None:
    issued = await issue(ada, owner, clock.now + DAY)
    other = await issue(tokens, owner, clock.now + DAY)

    assert (await ada.revoke(issued.token.id, 1)).revoked_by == "ada"
    assert (await tokens.revoke(other.token.id, 1)).revoked_by == "tessera"
    assert issued.token.revoked_by is None


def test_a_blank_or_overlong_actor_is_tidied(
    uow_factory: FakeUnitOfWorkFactory, clock: FrozenClock
) -> None:
    assert TokenService(uow_factory, clock, actor="  ")._actor == "tessera"
    assert TokenService(uow_factory, clock, actor="x" * 500)._actor == "x" * 200


async def test_rotate_revokes_and_issues_a_successor_with_the_same_lifetime(
    ada: TokenService, owner: User, clock: FrozenClock, uow_factory: FakeUnitOfWorkFactory
) -> None:
    old = await ada.issue(
        TokenRequest(
            owner_id=owner.id, name="Deploy", scopes=("a", "b:c"), expires_at=clock.now + 30 * DAY
        )
    )
    rotated_at = clock.advance(10 * DAY)

    issued = await ada.rotate(old.token.id, 1)

    new, gone = issued.token, uow_factory.tables.tokens[old.token.id]
    assert (gone.revoked_at, gone.revoked_by, gone.version) == (rotated_at, "ada", 2)
    assert (new.owner_id, new.name, new.scopes) == (owner.id, "Deploy", ("a", "b:c"))
    assert (new.created_at, new.expires_at) == (rotated_at, rotated_at + 30 * DAY)
    assert (new.revoked_at, new.version) == (None, 1)
    assert uow_factory.tables.tokens[new.id] == new
    assert hash_secret(issued.secret) == new.secret_hash != gone.secret_hash
    assert issued.secret.startswith(new.prefix)
    assert issued.secret not in new.model_dump_json()
    assert uow_factory.last.committed


async def test_rotate_caps_the_lifetime_at_the_maximum(
    ada: TokenService, owner: User, clock: FrozenClock, uow_factory: FakeUnitOfWorkFactory
) -> None:
    old = await issue(ada, owner, clock.now + DAY)
    # A token stored with a longer life than the service allows today.
    long_lived = uow_factory.tables.tokens[old.token.id].model_copy(
        update={"expires_at": clock.now + 2 * MAX_LIFETIME}
    )
    uow_factory.tables.tokens[old.token.id] = long_lived

    issued = await ada.rotate(old.token.id, 1)

    assert issued.token.expires_at == clock.now + MAX_LIFETIME


async def test_rotate_refuses_a_revoked_or_stale_token_and_changes_nothing(
    ada: TokenService, owner: User, clock: FrozenClock, uow_factory: FakeUnitOfWorkFactory
) -> None:
    first = await issue(ada, owner, clock.now + DAY, name="Deploy")
    second = await issue(ada, owner, clock.now + DAY)
    await ada.revoke(first.token.id, 1)
    await ada.extend(second.token.id, 1, clock.now + 2 * DAY)
    before = dict(uow_factory.tables.tokens)

    with pytest.raises(NotAllowed, match="“Deploy” was already revoked on 2030-03-14 09:30 UTC"):
        await ada.rotate(first.token.id, 2)
    with pytest.raises(Conflict):
        await ada.rotate(second.token.id, 1)
    with pytest.raises(NotFound):
        await ada.rotate(999, 1)

    assert uow_factory.tables.tokens == before


async def test_revoke_many_revokes_the_rest_and_says_why_it_skipped(
    ada: TokenService, owner: User, clock: FrozenClock, uow_factory: FakeUnitOfWorkFactory
) -> None:
    issued = [await issue(ada, owner, clock.now + DAY, name=f"t{n}") for n in range(5)]
    await ada.revoke(issued[0].token.id, 1)
    await ada.delete_many([issued[3].token])
    seen_revoked = await ada.revoke(issued[4].token.id, 1)  # the window saw this one revoked
    revoked_at = clock.advance(timedelta(minutes=1))
    units = len(uow_factory.units)

    # The window's copies: stale for t0 (revoked since), gone for t3 (deleted since).
    selection = [i.token for i in issued[:4]] + [seen_revoked, issued[1].token]
    result = await ada.revoke_many(selection)

    assert [t.id for t in result.done] == [issued[1].token.id, issued[2].token.id]
    assert {(t.revoked_at, t.revoked_by, t.version) for t in result.done} == {
        (revoked_at, "ada", 2)
    }
    assert result.stale == (uow_factory.tables.tokens[issued[0].token.id],)
    assert result.stale[0].version == 2
    assert result.gone == (issued[3].token,)
    assert result.skipped == {issued[4].token.id: "already revoked"}
    assert len(uow_factory.units) == units + 1
    assert uow_factory.last.committed
    assert uow_factory.tables.tokens[issued[2].token.id].revoked_by == "ada"


async def test_bulk_actions_on_nothing_change_nothing(
    ada: TokenService, clock: FrozenClock
) -> None:
    assert await ada.revoke_many([]) == BulkResult((), {})
    assert await ada.extend_many([], clock.now + DAY) == BulkResult((), {})


async def test_extend_many_extends_the_rest_and_says_why_it_skipped(
    ada: TokenService, owner: User, clock: FrozenClock, uow_factory: FakeUnitOfWorkFactory
) -> None:
    target = clock.now + 20 * DAY
    short = await issue(ada, owner, clock.now + DAY, name="short")
    expired = await issue(ada, owner, clock.now + DAY, name="expired")
    same = await issue(ada, owner, target, name="same")
    later = await issue(ada, owner, target + DAY, name="later")
    issued = await issue(ada, owner, clock.now + DAY, name="revoked")
    revoked = await ada.revoke(issued.token.id, 1)
    clock.advance(2 * DAY)
    selection = [*(t.token for t in (short, expired, same, later)), revoked]

    result = await ada.extend_many(selection, target)

    assert [t.id for t in result.done] == [short.token.id, expired.token.id]
    assert {(t.expires_at, t.version) for t in result.done} == {(target, 2)}
    assert result.skipped == {
        same.token.id: "already expires later",
        later.token.id: "already expires later",
        revoked.id: "revoked tokens cannot be extended",
    }
    assert uow_factory.tables.tokens[short.token.id].expires_at == target


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        (timedelta(0), "must be in the future"),
        (-DAY, "must be in the future"),
        (MAX_LIFETIME + timedelta(seconds=1), "at most 365 days"),
    ],
)
async def test_extend_many_validates_the_expiry_before_touching_anything(
    ada: TokenService,
    owner: User,
    clock: FrozenClock,
    uow_factory: FakeUnitOfWorkFactory,
    offset: timedelta,
    message: str,
) -> None:
    issued = await issue(ada, owner, clock.now + DAY)
    units = len(uow_factory.units)

    with pytest.raises(InvalidInput) as excinfo:
        await ada.extend_many([issued.token], clock.now + offset)

    assert message in excinfo.value.errors["expires_at"]
    assert len(uow_factory.units) == units


async def test_extend_many_refuses_a_naive_time(ada: TokenService, owner: User) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        await ada.extend_many([], datetime(2030, 4, 1))  # noqa: DTZ001

    assert excinfo.value.errors == {"expires_at": "A time zone is required."}


async def test_quick_counts_list_and_count_agree(
    ada: TokenService, owner: User, clock: FrozenClock, uow_factory: FakeUnitOfWorkFactory
) -> None:
    start = clock.now
    idle = await issue(ada, owner, start + 200 * DAY, name="idle")
    used = await issue(ada, owner, start + 200 * DAY, name="used")
    await issue(ada, owner, start + 95 * DAY, name="soon")
    await issue(ada, owner, start + DAY, name="expired")
    gone = await issue(ada, owner, start + 200 * DAY, name="gone")
    await ada.revoke(gone.token.id, 1)
    stored = uow_factory.tables.tokens
    stored[used.token.id] = stored[used.token.id].model_copy(
        update={"last_used_at": start + 50 * DAY}
    )
    clock.advance(IDLE_AFTER)

    counts = await ada.reports.quick_counts()

    assert counts == {
        QuickFilter.EXPIRED: 1,
        QuickFilter.EXPIRING: 1,
        QuickFilter.ACTIVE: 2,
        QuickFilter.REVOKED: 1,
        QuickFilter.NEVER_USED: 3,
        QuickFilter.IDLE: 2,
    }
    for quick, expected in counts.items():
        page = await ada.reports.list(TokenFilter(quick=quick), PageRequest(sort="name"))
        assert len(page.items) == expected == await ada.count(TokenFilter(quick=quick))
    idle_page = await ada.reports.list(
        TokenFilter(quick=QuickFilter.IDLE), PageRequest(sort="name")
    )
    assert [t.name for t in idle_page.items] == ["idle", "soon"]
    assert idle.token.id in {t.id for t in idle_page.items}
    wider = await ada.reports.quick_counts(soon=10 * DAY)
    assert (wider[QuickFilter.EXPIRING], wider[QuickFilter.ACTIVE]) == (1, 2)
    assert (await ada.reports.quick_counts(soon=3 * DAY))[QuickFilter.EXPIRING] == 0
    assert sum((await ada.reports.quick_counts(owner_id=owner.id + 1)).values()) == 0


async def test_expires_range_is_half_open(
    ada: TokenService, owner: User, clock: FrozenClock
) -> None:
    for days in (1, 2, 3):
        await issue(ada, owner, clock.now + days * DAY, name=f"{days}")
    window = TokenFilter(expires_from=clock.now + DAY, expires_to=clock.now + 3 * DAY)

    page = await ada.reports.list(window, PageRequest(sort="name"))

    assert [t.name for t in page.items] == ["1", "2"]


async def test_expiry_histogram_by_week_from_now(
    ada: TokenService, owner: User, clock: FrozenClock
) -> None:
    week, second = timedelta(days=7), timedelta(seconds=1)
    now = clock.now + DAY  # when the histogram is drawn
    offsets = [-timedelta(hours=12), timedelta(0), second, week, 2 * week, 3 * week - second]
    for offset in [*offsets, 3 * week]:
        await issue(ada, owner, now + offset)
    revoked = await issue(ada, owner, now + 2 * DAY)
    await ada.revoke(revoked.token.id, 1)
    clock.advance(DAY)

    buckets = await ada.reports.expiry_histogram(weeks=3)

    assert [(b.starts, b.ends) for b in buckets] == [
        (None, now),
        (now, now + week),
        (now + week, now + 2 * week),
        (now + 2 * week, now + 3 * week),
    ]
    # Expiring exactly now is expired; each week includes its start, not its end.
    assert [b.count for b in buckets] == [2, 1, 1, 2]
    assert len(await ada.reports.expiry_histogram()) == 9
    assert [b.count for b in await ada.reports.expiry_histogram(owner_id=owner.id + 1)] == [0] * 9


async def test_health_of_counts_expired_and_expiring_per_user(
    ada: TokenService, owner: User, clock: FrozenClock, users: UserService
) -> None:
    other = await users.create(UserDraft(email="lee@example.org", display_name="Lee"))
    await issue(ada, owner, clock.now + DAY)
    await issue(ada, owner, clock.now + 3 * DAY)
    await issue(ada, owner, clock.now + 30 * DAY)
    gone = await issue(ada, owner, clock.now + DAY)
    await ada.revoke(gone.token.id, 1)
    clock.advance(2 * DAY)

    health = await ada.reports.health_of([owner.id, other.id])

    assert health == {owner.id: TokenHealth(1, 1), other.id: TokenHealth(0, 0)}
    assert await ada.reports.health_of([]) == {}


async def test_a_page_with_its_owners_is_one_unit_of_work_and_skips_known_owners(
    tokens: TokenService, users: UserService, clock: FrozenClock, uow_factory: FakeUnitOfWorkFactory
) -> None:
    kim = await users.create(UserDraft(email="kim@example.org", display_name="Kim"))
    lee = await users.create(UserDraft(email="lee@example.org", display_name="Lee"))
    for person in (kim, lee, lee):
        await issue(tokens, person, clock() + 3 * DAY)
    before = len(uow_factory.units)
    page, owners = await tokens.reports.list_with_owners(
        TokenFilter(), PageRequest(), known={kim.id}
    )
    assert len(uow_factory.units) == before + 1  # the page and its owners in one read
    assert sorted(t.owner_id for t in page.items) == sorted([kim.id, lee.id, lee.id])
    assert [u.email for u in owners] == ["lee@example.org"]
    _, none_new = await tokens.reports.list_with_owners(
        TokenFilter(), PageRequest(), known={kim.id, lee.id}
    )
    assert none_new == ()
