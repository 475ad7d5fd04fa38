"""Hostile input through the services, on the in-memory fakes (property-based).

For users (create, update), tokens (issue) and events (create, update), arbitrary text —
right-to-left marks, combining marks, emoji ZWJ sequences, NUL bytes, lone surrogates,
SQL fragments, 1 MB strings (explicit examples) — and datetimes at the calendar's edges
(naive, min/max in extreme offsets) must end in exactly one of two ways:

* the domain refuses it with :class:`InvalidInput`, a non-empty message for each field
  concerned (and no other exception type), and nothing at all is written; or
* the record is stored and reads back identical to what was validated.

The default run is sized for CI (a few seconds). The deep run, 10,000 cases per property::

    HYPOTHESIS_PROFILE=deep .venv/bin/pytest tests/unit/test_hostile_input.py
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from app.domain.errors import AlreadyExists, InvalidInput
from app.domain.events import EventDraft, EventPatch
from app.domain.tokens import TokenRequest
from app.domain.users import UserDraft, UserPatch
from app.services.events import EventService
from app.services.tokens import TokenService
from app.services.users import UserService
from tests.clock import FrozenClock
from tests.fakes import FakeUnitOfWorkFactory, Tables
from tests.hostile_samples import (
    FIXED_TEXTS,
    MEGA_TEXTS,
    NAIVE_MAX,
    NAIVE_MIN,
    edge_datetimes,
)

T = TypeVar("T")

NOW = datetime(2030, 3, 14, 9, 30, tzinfo=UTC)
MEGA = MEGA_TEXTS[0]
MEGA_NUL = MEGA_TEXTS[3]

settings.register_profile(
    "hostile",
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("deep", parent=settings.get_profile("hostile"), max_examples=10_000)
_DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "deep"
if _DEEP:
    settings.load_profile("deep")
PROFILE = settings.get_profile("deep" if _DEEP else "hostile")

# --- strategies ---------------------------------------------------------------------------

_odd_chars = st.characters(categories=["Mn", "Mc", "Me", "Cf", "Cc", "Zs", "Zl", "Zp", "Co", "So"])
_rtl_chars = st.characters(min_codepoint=0x0590, max_codepoint=0x08FF)  # Hebrew, Arabic, …
hostile_text = st.one_of(
    st.text(),
    st.text(alphabet=_odd_chars, max_size=30),
    st.text(alphabet=st.one_of(_rtl_chars, _odd_chars, st.characters()), max_size=250),
    st.sampled_from(FIXED_TEXTS),
    st.lists(st.sampled_from(FIXED_TEXTS), min_size=2, max_size=4).map("".join),
    st.text(alphabet=st.characters(codec=None, categories=["Cs"]), min_size=1, max_size=3),
)
hostile_email = st.one_of(
    hostile_text,
    hostile_text.map(lambda local: f"{local}@example.org"),
    hostile_text.map(lambda domain: f"kim@{domain}.org"),
    st.emails(),
)
_zones = st.sampled_from([UTC, *(dt.tzinfo for dt in edge_datetimes(NOW) if dt.tzinfo is not None)])
hostile_datetime = st.one_of(
    st.sampled_from(edge_datetimes(NOW)),
    st.datetimes(),  # naive: refused
    st.datetimes(timezones=_zones),
    # Near now, so tokens (which must expire within a year) get stored too.
    st.timedeltas(min_value=timedelta(days=-2), max_value=timedelta(days=400)).flatmap(
        lambda delta: _zones.map(lambda zone: (NOW + delta).astimezone(zone))
    ),
)


# --- helpers ------------------------------------------------------------------------------


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run the async service code of one example on its own loop."""
    return asyncio.run(coroutine)


def _assert_refusal(error: InvalidInput, *models: type[BaseModel]) -> None:
    """A message per field, each a field of the models involved."""
    fields = {name for model in models for name in model.model_fields}
    assert error.errors, "InvalidInput without any field"
    assert set(error.errors) <= fields, error.errors
    for field, message in error.errors.items():
        assert isinstance(message, str), field
        assert message.strip(), field
    assert error.message


async def _stored_or_refused(
    db: FakeUnitOfWorkFactory,
    attempt: Callable[[], Awaitable[T]],
    *models: type[BaseModel],
) -> T | None:
    """The result of ``attempt``; None if refused, after checking nothing was written."""
    before = db.tables.copy()
    try:
        return await attempt()
    except InvalidInput as error:
        _assert_refusal(error, *models)
        assert db.tables == before, "a refused write changed the tables"
        return None
    except AlreadyExists:
        # The world's owner holds owner@example.org in any case (OWNER@EXAMPLE.ORG too).
        assert db.tables == before, "a refused write changed the tables"
        return None


def _assert_trimmed(stored: str, raw: str) -> None:
    """What is stored is the input without surrounding whitespace, nothing else changed."""
    start = raw.find(stored)
    assert start >= 0
    head, tail = raw[:start], raw[start + len(stored) :]
    assert head == "" or head.isspace()
    assert tail == "" or tail.isspace()


async def _world() -> tuple[FakeUnitOfWorkFactory, FrozenClock, Tables]:
    db = FakeUnitOfWorkFactory()
    clock = FrozenClock(NOW)
    await UserService(db, clock).create(UserDraft(email="owner@example.org", display_name="O"))
    return db, clock, db.tables.copy()


# --- users --------------------------------------------------------------------------------


@PROFILE
@given(email=hostile_email, name=hostile_text)
@example(email=MEGA, name=MEGA)
@example(email=f"{MEGA}@example.org", name=MEGA_NUL)
@example(email="'; DROP TABLE users; --@example.org", name="'; DROP TABLE users; --")
@example(email="kim@example.org", name="\x00")
def test_user_create_refuses_or_round_trips(email: str, name: str) -> None:
    async def body() -> None:
        db, clock, _ = await _world()
        service = UserService(db, clock)

        async def attempt() -> Any:
            return await service.create(UserDraft(email=email, display_name=name))

        user = await _stored_or_refused(db, attempt, UserDraft)
        if user is None:
            return
        assert await service.get(user.id) == user
        assert user.version == 1
        _assert_trimmed(user.display_name, name)
        assert "\x00" not in user.display_name + user.email

    run(body())


@PROFILE
@given(email=st.none() | hostile_email, name=st.none() | hostile_text)
@example(email=None, name=MEGA)
@example(email=MEGA, name=None)
@example(email=None, name="a\x00b")
@example(email="owner@example.org", name="\u202eevil")
def test_user_update_refuses_or_round_trips(email: str | None, name: str | None) -> None:
    async def body() -> None:
        db, clock, _ = await _world()
        service = UserService(db, clock)
        (current,) = db.tables.users.values()

        async def attempt() -> Any:
            return await service.update(
                current.id, current.version, UserPatch(email=email, display_name=name)
            )

        user = await _stored_or_refused(db, attempt, UserPatch)
        if user is None:
            return
        assert await service.get(user.id) == user
        if name is not None:
            _assert_trimmed(user.display_name, name)
        else:
            assert user.display_name == current.display_name
        if email is None:
            assert user.email == current.email
        changed = email is not None or name is not None
        assert user.version == current.version + (1 if changed else 0)

    run(body())


# --- tokens -------------------------------------------------------------------------------


@PROFILE
@given(name=hostile_text, scopes=st.lists(hostile_text, max_size=3), expires_at=hostile_datetime)
@example(name=MEGA, scopes=[], expires_at=NOW + timedelta(days=1))
@example(name="ci", scopes=[MEGA], expires_at=NOW + timedelta(days=1))
@example(name=MEGA_NUL, scopes=["deploy"], expires_at=NAIVE_MAX)
@example(name="ci", scopes=[], expires_at=edge_datetimes(NOW)[5])  # 0001-01-01 at +14:00
@example(name="'; DROP TABLE tokens; --", scopes=["read"], expires_at=NOW + timedelta(days=2))
def test_token_issue_refuses_or_round_trips(
    name: str, scopes: list[str], expires_at: datetime
) -> None:
    async def body() -> None:
        db, clock, _ = await _world()
        service = TokenService(db, clock)
        (owner,) = db.tables.users.values()

        async def attempt() -> Any:
            request = TokenRequest(
                owner_id=owner.id, name=name, scopes=tuple(scopes), expires_at=expires_at
            )
            return await service.issue(request)

        issued = await _stored_or_refused(db, attempt, TokenRequest)
        if issued is None:
            return
        token = issued.token
        assert await service.get(token.id) == token
        _assert_trimmed(token.name, name)
        assert token.expires_at == expires_at
        assert token.expires_at.utcoffset() == timedelta(0)
        assert NOW < token.expires_at <= NOW + timedelta(days=365)
        assert all("\x00" not in scope for scope in token.scopes)
        assert issued.secret.startswith(token.prefix)

    run(body())


# --- events -------------------------------------------------------------------------------


@PROFILE
@given(
    title=hostile_text,
    description=hostile_text,
    location=hostile_text,
    starts_at=hostile_datetime,
    ends_at=hostile_datetime,
    all_day=st.booleans(),
)
@example(
    title=MEGA,
    description=MEGA,
    location=MEGA,
    starts_at=NOW,
    ends_at=NOW,
    all_day=False,
)
@example(
    title="t",
    description=MEGA_NUL,
    location="",
    starts_at=datetime.min.replace(tzinfo=UTC),
    ends_at=datetime.max.replace(tzinfo=UTC),
    all_day=False,
)
@example(
    title="t",
    description="",
    location="",
    starts_at=edge_datetimes(NOW)[5],  # 0001-01-01 at +14:00: before the calendar in UTC
    ends_at=NOW,
    all_day=False,
)
@example(
    title="t",
    description="",
    location="",
    starts_at=NOW,
    ends_at=edge_datetimes(NOW)[8],  # 9999-12-31 at -12:00: after the calendar in UTC
    all_day=False,
)
@example(
    title="'; DROP TABLE events; --",
    description="\u202e",
    location="👩\u200d👩\u200d👧\u200d👦",
    starts_at=datetime(2030, 3, 14, tzinfo=UTC),
    ends_at=datetime(2030, 3, 15, tzinfo=UTC),
    all_day=True,
)
def test_event_create_refuses_or_round_trips(
    title: str,
    description: str,
    location: str,
    starts_at: datetime,
    ends_at: datetime,
    all_day: bool,
) -> None:
    async def body() -> None:
        db, clock, _ = await _world()
        service = EventService(db, clock)
        (owner,) = db.tables.users.values()

        async def attempt() -> Any:
            draft = EventDraft(
                owner_id=owner.id,
                title=title,
                description=description,
                location=location,
                starts_at=starts_at,
                ends_at=ends_at,
                all_day=all_day,
            )
            return await service.create(draft)

        event = await _stored_or_refused(db, attempt, EventDraft)
        if event is None:
            return
        assert await service.get(event.id) == event
        _assert_trimmed(event.title, title)
        _assert_trimmed(event.description, description)
        _assert_trimmed(event.location, location)
        assert (event.starts_at, event.ends_at, event.all_day) == (starts_at, ends_at, all_day)
        assert event.starts_at.utcoffset() == event.ends_at.utcoffset() == timedelta(0)

    run(body())


_patch_fields = st.fixed_dictionaries(
    {},
    optional={
        "title": hostile_text,
        "description": hostile_text,
        "location": hostile_text,
        "starts_at": hostile_datetime,
        "ends_at": hostile_datetime,
        "all_day": st.booleans(),
    },
)


@PROFILE
@given(fields=_patch_fields)
@example(fields={"title": MEGA})
@example(fields={"description": MEGA_NUL, "location": MEGA})
@example(fields={"starts_at": datetime.max.replace(tzinfo=UTC)})
@example(fields={"ends_at": datetime.max.replace(tzinfo=edge_datetimes(NOW)[6].tzinfo)})
@example(fields={"starts_at": NAIVE_MIN})
@example(fields={"title": "'; DROP TABLE events; --", "location": "\u200f"})
def test_event_update_refuses_or_round_trips(fields: dict[str, Any]) -> None:
    async def body() -> None:
        db, clock, _ = await _world()
        service = EventService(db, clock)
        (owner,) = db.tables.users.values()
        current = await service.create(
            EventDraft(
                owner_id=owner.id,
                title="Standup",
                starts_at=NOW + timedelta(hours=1),
                ends_at=NOW + timedelta(hours=2),
            )
        )

        async def attempt() -> Any:
            return await service.update(current.id, current.version, EventPatch(**fields))

        event = await _stored_or_refused(db, attempt, EventPatch, EventDraft)
        if event is None:
            return
        assert await service.get(event.id) == event
        for field in ("title", "description", "location"):
            if field in fields:
                _assert_trimmed(getattr(event, field), fields[field])
            else:
                assert getattr(event, field) == getattr(current, field)
        for field in ("starts_at", "ends_at", "all_day"):
            expected = fields.get(field, getattr(current, field))
            assert getattr(event, field) == expected
        assert event.version == current.version + (1 if fields else 0)

    run(body())
