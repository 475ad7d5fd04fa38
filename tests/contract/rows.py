"""Rows for the contract tests, made through the ports, and a walk over keyset pages.

The PostgreSQL run shares its database with tests that commit, so every user made here
has an email at :data:`DOMAIN` and lists are narrowed to the rows a test made.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from app.domain.events import Event, EventDraft
from app.domain.paging import Page, PageRequest
from app.domain.ports import UnitOfWork
from app.domain.tokens import NewToken, Token
from app.domain.users import Role, User, UserDraft, UserFilter

T = TypeVar("T")

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
DOMAIN = "contract.example"
OURS = UserFilter(search=f"@{DOMAIN}")


async def user(
    uow: UnitOfWork,
    name: str = "kim",
    *,
    display_name: str | None = None,
    role: Role = Role.MEMBER,
    is_active: bool = True,
    now: datetime = NOW,
) -> User:
    """A user ``name@contract.example``, named ``display_name`` (``name`` by default)."""
    draft = UserDraft(
        email=f"{name}@{DOMAIN}",
        display_name=display_name or name,
        role=role,
        is_active=is_active,
    )
    return await uow.users.add(draft, now)


def secret_hash(n: int) -> str:
    """A hash no other test's token has (the PostgreSQL run sees their committed rows)."""
    return hashlib.sha256(f"contract token {n}".encode()).hexdigest()


def new_token(
    owner_id: int,
    n: int,
    expires_in: timedelta,
    *,
    name: str | None = None,
    created_at: datetime = NOW - DAY,
) -> NewToken:
    """Token number ``n`` of ``owner_id``, expiring ``expires_in`` after NOW."""
    return NewToken(
        owner_id=owner_id,
        name=name or f"token {n}",
        scopes=("read", "write"),
        prefix=f"tsr_{n:08d}",
        secret_hash=secret_hash(n),
        created_at=created_at,
        expires_at=NOW + expires_in,
    )


async def token(
    uow: UnitOfWork,
    owner: User,
    n: int,
    expires_in: timedelta,
    *,
    name: str | None = None,
    created_at: datetime = NOW - DAY,
) -> Token:
    """Token number ``n`` of ``owner``, stored."""
    return await uow.tokens.add(
        new_token(owner.id, n, expires_in, name=name, created_at=created_at), NOW
    )


async def event(
    uow: UnitOfWork, owner: User, starts_at: datetime, ends_at: datetime, title: str = "meeting"
) -> Event:
    """An event of ``owner``, stored."""
    draft = EventDraft(owner_id=owner.id, title=title, starts_at=starts_at, ends_at=ends_at)
    return await uow.events.add(draft, NOW)


async def walk(
    read: Callable[[PageRequest], Awaitable[Page[T]]], request: PageRequest
) -> tuple[list[T], int]:
    """Every row from ``request`` on, following the cursors, and how many pages it took."""
    seen: list[T] = []
    pages = 0
    while True:
        page = await read(request)
        seen.extend(page.items)
        pages += 1
        if page.next_cursor is None:
            return seen, pages
        request = request.next(page.next_cursor)
