"""The token rules of the domain, without a service: revoke, extend, rotate, expiry limits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.domain.errors import InvalidInput, NotAllowed
from app.domain.token_rules import check_extension_expiry, check_issue_expiry, check_lifetime
from app.domain.tokens import (
    MAX_LIFETIME,
    NewToken,
    Token,
    TokenFilter,
    TokenRequest,
    valid_expiry,
)
from tests.clock import FrozenClock

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
LATEST = "A token can be valid for at most 365 days from now, that is until 2031-03-14 09:30 UTC."
FUTURE = "The new expiry must be in the future; an earlier time would leave the token expired."


def token(
    clock: FrozenClock,
    expires_in: timedelta = 30 * DAY,
    revoked_at: datetime | None = None,
    lived: timedelta = 10 * DAY,
) -> Token:
    """A stored token "Deploy", created ``lived`` ago, expiring ``expires_in`` from now."""
    return Token(
        id=7,
        owner_id=3,
        name="Deploy",
        scopes=("events:read",),
        prefix="tsr_abcdefgh",
        secret_hash="0" * 64,
        created_at=clock.now - lived,
        expires_at=clock.now + expires_in,
        last_used_at=None,
        revoked_at=revoked_at,
        version=4,
    )


def field_error(excinfo: pytest.ExceptionInfo[InvalidInput]) -> str:
    assert set(excinfo.value.errors) == {"expires_at"}
    return excinfo.value.errors["expires_at"]


# --- revoke ------------------------------------------------------------------------


def test_revoking_gives_the_patch_of_when_and_by_whom(clock: FrozenClock) -> None:
    patch = token(clock).revoked(by="ada", at=clock.now)

    assert patch.changes() == {"revoked_at": clock.now, "revoked_by": "ada"}
    assert token(clock).why_not_revocable() is None


def test_a_revoked_token_cannot_be_revoked_again(clock: FrozenClock) -> None:
    revoked = token(clock, revoked_at=clock.now - DAY)

    with pytest.raises(NotAllowed) as excinfo:
        revoked.revoked(by="ada", at=clock.now)

    assert excinfo.value.message == "Token “Deploy” was already revoked on 2030-03-13 09:30 UTC."
    assert revoked.why_not_revocable() == "already revoked"


# --- extend ------------------------------------------------------------------------


def test_extending_gives_the_patch_of_the_new_expiry(clock: FrozenClock) -> None:
    later = clock.now + 60 * DAY

    assert token(clock).extended_to(later, clock.now).changes() == {"expires_at": later}
    assert token(clock).why_not_extendable(later) is None


def test_a_revoked_token_cannot_be_extended(clock: FrozenClock) -> None:
    revoked = token(clock, revoked_at=clock.now)

    with pytest.raises(NotAllowed) as excinfo:
        revoked.extended_to(clock.now + 60 * DAY, clock.now)

    assert excinfo.value.message == (
        "Token “Deploy” is revoked and cannot be extended; issue a new token instead."
    )
    assert revoked.why_not_extendable(clock.now + 60 * DAY) == "revoked tokens cannot be extended"


def test_an_expired_and_revoked_token_is_refused_for_being_revoked(clock: FrozenClock) -> None:
    both = token(clock, expires_in=-DAY, revoked_at=clock.now - 2 * DAY)

    with pytest.raises(NotAllowed):
        both.extended_to(clock.now + DAY, clock.now)
    assert both.why_not_extendable(clock.now + DAY) == "revoked tokens cannot be extended"


def test_an_expired_token_is_revived_into_the_future_only(clock: FrozenClock) -> None:
    expired = token(clock, expires_in=-5 * DAY)

    with pytest.raises(InvalidInput) as excinfo:
        expired.extended_to(clock.now - DAY, clock.now)
    assert field_error(excinfo) == FUTURE
    with pytest.raises(InvalidInput) as excinfo:
        expired.extended_to(clock.now, clock.now)
    assert field_error(excinfo) == FUTURE

    revived = expired.extended_to(clock.now + SECOND, clock.now)
    assert revived.expires_at == clock.now + SECOND


@pytest.mark.parametrize("delta", [timedelta(0), -SECOND])
def test_the_new_expiry_must_be_later_than_the_current_one(
    clock: FrozenClock, delta: timedelta
) -> None:
    current = token(clock, expires_in=DAY)

    with pytest.raises(InvalidInput) as excinfo:
        current.extended_to(current.expires_at + delta, clock.now)

    assert field_error(excinfo) == (
        "The new expiry must be later than the current one (2030-03-15 09:30 UTC); "
        "to shorten a token, revoke it."
    )
    assert current.why_not_extendable(current.expires_at + delta) == "already expires later"


def test_extending_is_capped_at_the_maximum_lifetime_from_now(clock: FrozenClock) -> None:
    current = token(clock)

    longest = current.extended_to(clock.now + MAX_LIFETIME, clock.now)
    assert longest.expires_at == clock.now + MAX_LIFETIME
    with pytest.raises(InvalidInput) as excinfo:
        current.extended_to(clock.now + MAX_LIFETIME + SECOND, clock.now)

    assert field_error(excinfo) == LATEST


def test_the_limit_moves_with_the_clock(clock: FrozenClock) -> None:
    target = clock.now + MAX_LIFETIME + DAY
    with pytest.raises(InvalidInput):
        check_lifetime(target, clock.now)

    clock.advance(DAY)

    check_lifetime(target, clock.now)


# --- expiry of new and extended tokens ----------------------------------------------


@pytest.mark.parametrize("offset", [timedelta(0), -SECOND, -DAY])
def test_an_issued_token_must_expire_in_the_future(clock: FrozenClock, offset: timedelta) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        check_issue_expiry(clock.now + offset, clock.now)

    assert field_error(excinfo) == "The expiry must be in the future."


@pytest.mark.parametrize("check", [check_issue_expiry, check_extension_expiry])
def test_exactly_the_maximum_lifetime_is_allowed_and_no_more(
    clock: FrozenClock, check: Callable[[datetime, datetime], None]
) -> None:
    check(clock.now + SECOND, clock.now)
    check(clock.now + MAX_LIFETIME, clock.now)

    with pytest.raises(InvalidInput) as excinfo:
        check(clock.now + MAX_LIFETIME + SECOND, clock.now)

    assert field_error(excinfo) == LATEST


def test_a_bulk_extension_must_be_in_the_future(clock: FrozenClock) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        check_extension_expiry(clock.now, clock.now)

    assert field_error(excinfo) == FUTURE


def test_a_request_is_issued_at_now_with_the_secrets_hash(clock: FrozenClock) -> None:
    request = TokenRequest(owner_id=3, name="CI", scopes=("a",), expires_at=clock.now + 30 * DAY)

    new = request.issued("tsr_abcdefgh", "f" * 64, clock.now)

    assert new == NewToken(
        owner_id=3,
        name="CI",
        scopes=("a",),
        prefix="tsr_abcdefgh",
        secret_hash="f" * 64,
        created_at=clock.now,
        expires_at=clock.now + 30 * DAY,
    )


def test_a_request_for_a_past_expiry_is_not_issued(clock: FrozenClock) -> None:
    request = TokenRequest(owner_id=3, name="CI", expires_at=clock.now - DAY)

    with pytest.raises(InvalidInput) as excinfo:
        request.issued("tsr_abcdefgh", "f" * 64, clock.now)

    assert field_error(excinfo) == "The expiry must be in the future."


def test_an_expiry_needs_a_time_zone_and_is_kept_in_utc() -> None:
    seoul = datetime(2030, 4, 1, 18, 0, tzinfo=timezone(timedelta(hours=9)))

    assert valid_expiry(seoul) == seoul
    assert valid_expiry(seoul).tzinfo is UTC
    with pytest.raises(InvalidInput) as excinfo:
        valid_expiry(datetime(2030, 4, 1))  # noqa: DTZ001
    assert field_error(excinfo) == "A time zone is required."


# --- rotate ------------------------------------------------------------------------


def test_a_successor_keeps_owner_name_scopes_and_lifetime(clock: FrozenClock) -> None:
    old = token(clock, expires_in=20 * DAY, lived=10 * DAY)

    new = old.successor("tsr_newnewne", "e" * 64, clock.now)

    assert (new.owner_id, new.name, new.scopes) == (3, "Deploy", ("events:read",))
    assert (new.prefix, new.secret_hash) == ("tsr_newnewne", "e" * 64)
    assert (new.created_at, new.expires_at) == (clock.now, clock.now + 30 * DAY)


def test_a_successor_lives_at_most_the_maximum_lifetime(clock: FrozenClock) -> None:
    old = token(clock, expires_in=2 * MAX_LIFETIME)

    assert old.successor("tsr_newnewne", "e" * 64, clock.now).expires_at == (
        clock.now + MAX_LIFETIME
    )


# --- the moment a filter is judged at -----------------------------------------------


def test_a_filter_is_judged_at_now_unless_it_names_its_moment(clock: FrozenClock) -> None:
    undated = TokenFilter(search="ci")
    dated = TokenFilter(search="ci", as_of=clock.now - DAY, soon=DAY)

    assert undated.dated(clock.now, 3 * DAY) == TokenFilter(
        search="ci", as_of=clock.now, soon=3 * DAY
    )
    assert dated.dated(clock.now, 3 * DAY) is dated
