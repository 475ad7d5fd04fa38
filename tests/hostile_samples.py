"""Hostile input shared by the hostile-input tests: odd text and datetimes at the calendar's edges.

Everything here is deterministic (no clock, no unseeded randomness), so the PostgreSQL tests
that loop over these lists run the same cases every time.
"""

from __future__ import annotations

import random
import sys
import unicodedata
from datetime import UTC, datetime, timedelta, timezone

MEGABYTE = 1_000_000

SQL_FRAGMENTS = (
    "'; DROP TABLE users; --",
    '"; DROP TABLE tokens; --',
    "' OR '1'='1",
    "1; DELETE FROM events WHERE true; --",
    "Robert'); DROP TABLE students;--",
    "%",
    "_",
    "\\",
    "%_\\%",
    "$1",
    "$$; SELECT pg_sleep(10); $$",
    "E'\\x00'",
    "/* comment */ SELECT 1",
    "' UNION SELECT secret_hash FROM tokens --",
    ":name",
    "%(name)s",
    "{}",
    "NULL",
)

FIXED_TEXTS = (
    "",
    " ",
    "   \t\n ",
    "\u3000",  # ideographic space
    "\u00a0",  # no-break space
    "\u200b",  # zero-width space (not whitespace to Python or pydantic)
    "\ufeff",  # byte order mark
    "\u202eevil.exe\u202c",  # right-to-left override
    "\u202bמשתמש\u202c",
    "مرحبا بالعالم",
    "שלום עולם",
    "\u200f\u200e\u061c",  # RLM, LRM, Arabic letter mark
    "e\u0301" * 50,  # combining acute
    "Z\u0335\u0321\u0322\u0347\u032a\u0344\u034ca\u0308\u0338l\u0337g\u0337o\u0337",  # zalgo
    "\u0301",  # a combining mark with nothing to combine with
    "👩\u200d👩\u200d👧\u200d👦",  # family: ZWJ sequence
    "🏳\ufe0f\u200d🌈",
    "🇺🇳🇯🇵",  # regional indicator flags
    "👍🏽",  # skin tone modifier
    "🧑\u200d💻" * 20,
    "\U0010ffff\U000e0001",  # last code point, language tag
    "\ufffe\uffff",  # noncharacters
    "\x00",
    "a\x00b",
    "\x00DROP",
    "trailing NUL\x00",
    "\x01\x02\x1b[31mred\x1b[0m\x7f",
    "\x1c\x1d\x1e\x1f",  # separators Python strips but pydantic does not
    "\r\n\u2028\u2029\x85",
    "\ud800",  # lone surrogate: not UTF-8 encodable
    "ok\udfff",
    "İstanbul ǅ ß ﬃ",  # case mapping oddities
    "a" * 200,
    "a" * 201,
    "ä" * 200,
    "👩\u200d👩\u200d👧\u200d👦" * 30,  # under 200 graphemes, over 200 code points
    "x" * 500,
    "x" * 501,
    "x" * 10_000,
    "x" * 10_001,
    *SQL_FRAGMENTS,
)

# One megabyte strings: built once, used as explicit examples (never generated).
MEGA_TEXTS = (
    "a" * MEGABYTE,
    "é" * MEGABYTE,
    ("👩\u200d👩\u200d👧\u200d👦" * (MEGABYTE // 11 + 1))[:MEGABYTE],
    "x" * (MEGABYTE - 1) + "\x00",
    " " * MEGABYTE,
)

_ZONES = (
    UTC,
    timezone(timedelta(hours=14)),
    timezone(timedelta(hours=-12)),
    timezone(timedelta(hours=23, minutes=59)),
    timezone(-timedelta(hours=23, minutes=59)),
    timezone(timedelta(hours=5, minutes=45)),
)


# Naive on purpose: the domain must refuse them (a time zone is required).
NAIVE_MIN = datetime.min  # noqa: DTZ901
NAIVE_MAX = datetime.max  # noqa: DTZ901


def edge_datetimes(now: datetime) -> tuple[datetime, ...]:
    """Datetimes at the calendar's edges (naive and aware) and around ``now``."""
    edges: list[datetime] = [NAIVE_MIN, NAIVE_MAX, now.replace(tzinfo=None)]
    for zone in _ZONES:
        edges += [datetime.min.replace(tzinfo=zone), datetime.max.replace(tzinfo=zone)]
    edges += [
        now,
        now - timedelta(microseconds=1),
        now + timedelta(microseconds=1),
        now + timedelta(days=365),
        now + timedelta(days=365, microseconds=1),
        (now + timedelta(days=1)).astimezone(_ZONES[1]),
        (now + timedelta(days=2)).astimezone(_ZONES[4]),
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(2038, 1, 19, 3, 14, 8, tzinfo=UTC),
    ]
    return tuple(edges)


def _by_category(per_category: int) -> list[str]:
    """A few code points of every Unicode general category, in a stable order."""
    chosen: dict[str, list[str]] = {}
    step = 997  # a prime stride samples the whole range rather than its first block
    for i in range(0, sys.maxunicode + 1, step):
        char = chr(i)
        bucket = chosen.setdefault(unicodedata.category(char), [])
        if len(bucket) < per_category:
            bucket.append(char)
    return [char for category in sorted(chosen) for char in chosen[category]]


def hostile_texts(count: int, seed: int = 20_240_229) -> list[str]:
    """``count`` hostile strings: the fixed ones, then seeded mixes of every category."""
    texts = list(FIXED_TEXTS) + list(MEGA_TEXTS)
    pool = _by_category(6)
    pieces = [*pool, *(t for t in FIXED_TEXTS if len(t) < 100)]
    rng = random.Random(seed)  # noqa: S311 - deterministic test data, not security
    while len(texts) < count:
        texts.append("".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))))
    return texts[:count]
