"""The rows ``tessera seed`` generates: users, tokens of every status, events, as COPY tuples.

Deterministic for a random generator, a first id and the instant ``now``; times are integers
(microseconds since PostgreSQL's epoch), as ``seeding`` sends them.
"""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from app.domain.events import utc_midnight
from app.domain.tokens import DEFAULT_SOON, IDLE_AFTER, PREFIX_LENGTH
from app.infrastructure.seed_data import (
    ADMINS,
    EVENT_TITLES,
    HOLIDAYS,
    LOCATIONS,
    SCOPES,
    SCRIPT_WEIGHTS,
    SCRIPTS,
    TOKEN_NAMES,
    Script,
)

Row = tuple[Any, ...]

DAY_S = 86_400
SECOND_US = 1_000_000
PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
MARK = "tsr_"  # as app.services.token_secrets writes secrets
# fmt: off
USER_COLUMNS = ("id", "email", "display_name", "role", "is_active", "created_at", "updated_at",
                "version")
TOKEN_COLUMNS = ("id", "owner_id", "name", "scopes", "prefix", "secret_hash", "created_at",
                 "expires_at", "last_used_at", "revoked_at", "version", "revoked_by")
EVENT_COLUMNS = ("id", "owner_id", "title", "description", "location", "starts_at", "ends_at",
                 "all_day", "created_at", "updated_at", "version")
# fmt: on
# The first tokens of a run are one of each kind, so even a tiny seed shows them all:
# expired, expiring soon, active, revoked, never used, used long ago (idle).
_KINDS = ("expired", "soon", "active", "revoked", "never_used", "idle")
# Tuples, not lists: a row holding only immutable values drops out of the garbage
# collector's sight, and a million rows it keeps scanning cost a fifth of the generation.
_SCOPE_SETS = [tuple(SCOPES[:n]) for n in range(1, len(SCOPES) + 1)] + [("events:read",)] * 3
_WEIGHTED_SCRIPTS = [s for s, w in zip(SCRIPTS, SCRIPT_WEIGHTS, strict=True) for _ in range(w)]


def token_counts(rng: random.Random, users: int, per_user: int) -> list[int]:
    """Tokens of each user: ``per_user`` on average, some with none, some with twice as many.

    Args:
        rng: the run's random generator.
        users: how many users.
        per_user: the average.

    Returns:
        One count per user; their sum is exactly ``users * per_user``.
    """
    counts = [per_user] * users
    for i in range(0, users - 1, 2):
        shift = int(rng.random() * (2 * per_user + 1)) - per_user
        counts[i] += shift
        counts[i + 1] -= shift
    return counts


def micros(moment: datetime) -> int:
    """An aware datetime as PostgreSQL stores a ``timestamptz``: microseconds since 2000-01-01 UTC.

    Args:
        moment: an aware datetime.

    Returns:
        The whole number of microseconds from PostgreSQL's epoch to ``moment``.
    """
    return (moment - PG_EPOCH) // timedelta(microseconds=1)


def user_rows(rng: random.Random, first_id: int, count: int, now: datetime) -> Iterator[Row]:
    now_us = micros(now)
    for uid in range(first_id, first_id + count):
        script: Script = rng.choice(_WEIGHTED_SCRIPTS)
        given, given_latin = rng.choice(script.given)
        family, family_latin = rng.choice(script.family)
        email = f"{given_latin}.{family_latin}.{uid}@{script.domain}"
        if rng.random() < 0.1:
            email = email.capitalize()  # mixed case: uniqueness is on lower(email)
        draw = rng.random()
        role = "administrator" if draw < 0.02 else "staff" if draw < 0.15 else "member"
        created = now_us - (int(rng.random() * 3 * 365 * DAY_S) + 3600) * SECOND_US
        edited = rng.random() < 0.3
        updated = created + int((now_us - created) * rng.random()) if edited else created
        yield (
            uid,
            email,
            script.display(given, family),
            role,
            rng.random() >= 0.08,
            created,
            updated,
            1 + int(rng.random() * 4) if edited else 1,
        )


def _secret(rng: random.Random) -> tuple[str, str]:
    raw = rng.getrandbits(256).to_bytes(32, "little")
    secret = MARK + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return secret[:PREFIX_LENGTH], hashlib.sha256(secret.encode()).hexdigest()


def _token_times(rng: random.Random, kind: str) -> tuple[int, int, int | None, int | None]:
    """Seconds from now: created, expires, last used (None: never), revoked (None: not)."""
    soon = int(DEFAULT_SOON.total_seconds())
    if kind == "expired":
        expires = -int(rng.random() * 120 * DAY_S) - 60
    elif kind == "soon":
        expires = 60 + int(rng.random() * (soon - 120))
    elif kind == "idle":
        expires = soon + int((30 + rng.random() * 200) * DAY_S)
    elif kind == "revoked":  # any expiry: revoked wins over every other status
        expires = int((rng.random() * 485 - 120) * DAY_S) + 1
    else:
        expires = soon + 60 + int(rng.random() * 358 * DAY_S)
    created = expires - int((30 + rng.random() * 335) * DAY_S)
    if kind == "idle":
        created = min(created, -int(IDLE_AFTER.total_seconds()) - 30 * DAY_S)
    elif created > 0:
        created = -int(rng.random() * 30 * DAY_S) - 60
    seen_until = min(0, expires)
    draw = rng.random()
    if kind == "never_used" or (kind not in ("idle", "revoked") and draw < 0.25):
        used = None
    elif kind == "idle" or draw < 0.4:  # used once early on, long ago
        used = created + int(min(seen_until - created, 20 * DAY_S) * rng.random())
    else:
        used = seen_until - int((seen_until - created) * rng.random() * 0.05)
    revoked = None
    if kind == "revoked":
        revoked = created + int((seen_until - created) * rng.random())
        used = None if used is None else min(used, revoked)
    return created, expires, used, revoked


def token_rows(
    rng: random.Random, first_id: int, first_owner: int, counts: list[int], now: datetime
) -> Iterator[Row]:
    tid = first_id
    now_us = micros(now)
    for owner, count in enumerate(counts, first_owner):
        for _ in range(count):
            n = tid - first_id
            if n < len(_KINDS):
                kind = _KINDS[n]
            else:
                draw = rng.random()
                kind = "expired" if draw < 0.1 else "soon" if draw < 0.16 else "active"
                if rng.random() < 0.08:
                    kind = "revoked"
            created, expires, used, revoked = _token_times(rng, kind)
            prefix, secret_hash = _secret(rng)
            yield (
                tid,
                owner,
                rng.choice(TOKEN_NAMES),
                rng.choice(_SCOPE_SETS),
                prefix,
                secret_hash,
                now_us + created * SECOND_US,
                now_us + expires * SECOND_US,
                None if used is None else now_us + used * SECOND_US,
                None if revoked is None else now_us + revoked * SECOND_US,
                1 if revoked is None else 2,
                None if revoked is None else rng.choice(ADMINS),
            )
            tid += 1


def event_rows(
    rng: random.Random, first_id: int, first_owner: int, users: int, per_user: int, now: datetime
) -> Iterator[Row]:
    eid = first_id
    quarter = timedelta(minutes=15)
    hour = now.replace(minute=0, second=0, microsecond=0)
    today = now.astimezone(UTC).date()
    for owner in range(first_owner, first_owner + users):
        previous: tuple[datetime, datetime] | None = None
        for j in range(per_user):
            # Over the past and coming six weeks; about a fifth overlap the one before.
            clash = previous is not None and (
                rng.random() < 0.2 or (owner == first_owner and j == 1)
            )
            if previous is not None and clash:
                starts = previous[0] + (previous[1] - previous[0]) * 0.5
                ends = starts + quarter * (2 + int(rng.random() * 8))
                all_day, title = False, rng.choice(EVENT_TITLES)
            elif rng.random() < 0.15:  # all-day: UTC midnights, one to three days
                starts = utc_midnight(today + timedelta(days=int(rng.random() * 84) - 42))
                ends = starts + timedelta(days=1 + int(rng.random() * 3))
                all_day, title = True, rng.choice(HOLIDAYS)
            else:
                starts = hour + quarter * (int(rng.random() * 84 * 96) - 42 * 96)
                ends = starts + quarter * (1 + int(rng.random() * 12))
                all_day, title = False, rng.choice(EVENT_TITLES)
            created = min(starts, now) - timedelta(seconds=int(rng.random() * 30 * DAY_S))
            previous = (starts, ends)
            location = rng.choice(LOCATIONS)
            made, start, end = micros(created), micros(starts), micros(ends)
            yield (eid, owner, title, "", location, start, end, all_day, made, made, 1)
            eid += 1
