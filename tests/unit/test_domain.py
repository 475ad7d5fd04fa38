from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.domain.errors import InvalidInput
from app.domain.events import EventDraft, EventPatch
from app.domain.tokens import (
    DEFAULT_SOON,
    SCOPE_MAX,
    SCOPES_MAX,
    Token,
    TokenRequest,
    TokenStatus,
)
from app.domain.users import DISPLAY_NAME_MAX, Role, UserDraft, UserPatch
from tests.clock import FrozenClock

T0 = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


def errors_of(excinfo: pytest.ExceptionInfo[InvalidInput]) -> dict[str, str]:
    return excinfo.value.errors


# --- users -------------------------------------------------------------------------


def test_user_draft_accepts_korean_and_emoji_names() -> None:
    korean = UserDraft(email="minjun@example.kr", display_name="  김민준  ")
    emoji = UserDraft(email="ana@example.org", display_name="Ana 🌸🚀")

    assert korean.display_name == "김민준"
    assert emoji.display_name == "Ana 🌸🚀"
    assert korean.role is Role.MEMBER
    assert korean.is_active


def test_user_draft_reports_each_bad_field() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        UserDraft(email="not an email", display_name="   ")

    errors = errors_of(excinfo)
    assert set(errors) == {"email", "display_name"}
    assert errors["display_name"] == "This field is required."
    assert "display_name: This field is required." in excinfo.value.message


def test_missing_field_is_required() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        UserDraft.model_validate({"email": "a@example.org"})

    assert errors_of(excinfo) == {"display_name": "This field is required."}


def test_display_name_length_limit_counts_characters() -> None:
    UserDraft(email="a@example.org", display_name="가" * DISPLAY_NAME_MAX)

    with pytest.raises(InvalidInput) as excinfo:
        UserDraft(email="a@example.org", display_name="가" * (DISPLAY_NAME_MAX + 1))

    assert set(errors_of(excinfo)) == {"display_name"}


def test_absurdly_long_email_is_refused() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        UserDraft(email="a" * 400 + "@example.org", display_name="A")

    assert set(errors_of(excinfo)) == {"email"}


def test_nul_is_refused_in_text() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        UserPatch(display_name="Ana\x00Lee")

    assert errors_of(excinfo) == {"display_name": "Text cannot contain NUL characters."}


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        UserDraft.model_validate({"email": "a@example.org", "display_name": "A", "password": "x"})

    assert set(errors_of(excinfo)) == {"password"}


def test_unknown_role_is_refused() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        UserPatch.model_validate({"role": "superuser"})

    assert set(errors_of(excinfo)) == {"role"}


# --- events ------------------------------------------------------------------------


def event(**fields: object) -> EventDraft:
    values: dict[str, object] = {
        "owner_id": 1,
        "title": "Stand-up",
        "starts_at": T0,
        "ends_at": T0 + timedelta(minutes=15),
    }
    values.update(fields)
    return EventDraft.model_validate(values)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        event(starts_at=datetime(2030, 6, 1, 12, 0))  # noqa: DTZ001 - the point of the test

    assert errors_of(excinfo) == {"starts_at": "A time zone is required."}


def test_aware_datetimes_become_utc() -> None:
    seoul = timezone(timedelta(hours=9))

    draft = event(starts_at=datetime(2030, 6, 1, 21, 0, tzinfo=seoul))

    assert draft.starts_at == T0
    assert draft.starts_at.utcoffset() == timedelta(0)


def test_event_cannot_end_before_it_starts() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        event(ends_at=T0 - timedelta(seconds=1))

    assert errors_of(excinfo) == {"ends_at": "The event cannot end before it starts."}


def test_zero_length_event_is_allowed() -> None:
    assert event(ends_at=T0).ends_at == T0


def test_event_text_limits_and_nul() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        event(title="x" * 201, location="y" * 501, description="z\x00")

    assert set(errors_of(excinfo)) == {"title", "location", "description"}


def test_event_patch_leaves_unset_fields_out() -> None:
    patch = EventPatch(title="Retro")

    assert patch.model_dump(exclude_unset=True) == {"title": "Retro"}


# --- tokens ------------------------------------------------------------------------


def request(**fields: object) -> TokenRequest:
    values: dict[str, object] = {"owner_id": 1, "name": "CI", "expires_at": T0}
    values.update(fields)
    return TokenRequest.model_validate(values)


def test_scopes_are_trimmed_and_deduplicated_in_order() -> None:
    token = request(scopes=[" events:read ", "users/write", "events:read"])

    assert token.scopes == ("events:read", "users/write")


@pytest.mark.parametrize(
    "scope", ["has space", "", "-leading-dash", "x" * (SCOPE_MAX + 1), "drop;table", "é"]
)
def test_bad_scopes_are_refused(scope: str) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        request(scopes=["ok", scope])

    assert set(errors_of(excinfo)) == {"scopes"}
    assert "is not valid" in errors_of(excinfo)["scopes"]


def test_too_many_scopes_are_refused() -> None:
    request(scopes=[f"s{i}" for i in range(SCOPES_MAX)])

    with pytest.raises(InvalidInput) as excinfo:
        request(scopes=[f"s{i}" for i in range(SCOPES_MAX + 1)])

    assert errors_of(excinfo) == {"scopes": f"At most {SCOPES_MAX} scopes."}


def test_token_request_needs_an_owner() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        request(owner_id=0)

    assert set(errors_of(excinfo)) == {"owner_id"}


def stored_token(expires_at: datetime, revoked_at: datetime | None = None) -> Token:
    return Token(
        id=1,
        owner_id=1,
        name="CI",
        scopes=(),
        prefix="tsr_abcdefgh",
        secret_hash="0" * 64,
        created_at=expires_at - timedelta(days=30),
        expires_at=expires_at,
        last_used_at=None,
        revoked_at=revoked_at,
        version=1,
    )


def test_token_is_expired_from_the_instant_of_expiry() -> None:
    clock = FrozenClock(T0)
    token = stored_token(expires_at=T0)

    assert token.is_expired(clock())
    assert token.status(clock()) is TokenStatus.EXPIRED
    clock.advance(timedelta(seconds=-1))
    assert not token.is_expired(clock())
    assert token.status(clock()) is TokenStatus.EXPIRING_SOON


def test_token_with_exactly_soon_left_is_expiring_soon() -> None:
    clock = FrozenClock(T0)
    token = stored_token(expires_at=T0 + DEFAULT_SOON)

    assert token.status(clock()) is TokenStatus.EXPIRING_SOON
    clock.advance(timedelta(seconds=-1))
    assert token.status(clock()) is TokenStatus.ACTIVE


def test_soon_threshold_is_a_parameter() -> None:
    token = stored_token(expires_at=T0 + timedelta(days=2))

    assert token.status(T0, soon=timedelta(days=1)) is TokenStatus.ACTIVE
    assert token.status(T0, soon=timedelta(days=2)) is TokenStatus.EXPIRING_SOON


def test_revoked_wins_over_expired() -> None:
    token = stored_token(expires_at=T0 - timedelta(days=1), revoked_at=T0 - timedelta(days=2))

    assert token.is_expired(T0)
    assert token.status(T0) is TokenStatus.REVOKED
