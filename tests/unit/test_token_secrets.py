from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from app.domain.tokens import PREFIX_LENGTH, NewToken
from app.services.token_secrets import generate_secret, hash_secret, secret_prefix, verify_secret


def test_secret_is_marked_url_safe_and_long() -> None:
    secret = generate_secret()

    assert secret.startswith("tsr_")
    # 32 random bytes are 43 URL-safe base64 characters without padding.
    assert re.fullmatch(r"tsr_[A-Za-z0-9_-]{43}", secret)


def test_secrets_never_repeat() -> None:
    assert len({generate_secret() for _ in range(200)}) == 200


def test_hash_is_sha256_hex() -> None:
    # The published SHA-256 test vector for "abc".
    expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    assert hash_secret("abc") == expected


def test_hash_differs_per_secret_and_is_stable() -> None:
    secret = generate_secret()

    assert hash_secret(secret) == hash_secret(secret)
    assert hash_secret(secret) != hash_secret(secret + "x")
    assert re.fullmatch(r"[0-9a-f]{64}", hash_secret(secret))


def test_prefix_is_the_start_of_the_secret() -> None:
    secret = generate_secret()

    assert secret_prefix(secret) == secret[:PREFIX_LENGTH]
    assert len(secret_prefix(secret)) == PREFIX_LENGTH


def test_verify_accepts_the_right_secret_only() -> None:
    secret = generate_secret()
    stored = hash_secret(secret)

    assert verify_secret(secret, stored)
    assert not verify_secret(generate_secret(), stored)
    assert not verify_secret(secret, stored.upper())
    assert not verify_secret(secret, "")


def test_verify_refuses_a_garbled_hash_without_raising() -> None:
    assert not verify_secret(generate_secret(), "é" * 64)


def test_hash_and_prefix_fit_the_stored_token() -> None:
    secret = generate_secret()
    now = datetime(2030, 1, 1, tzinfo=UTC)

    token = NewToken(
        owner_id=1,
        name="CI",
        prefix=secret_prefix(secret),
        secret_hash=hash_secret(secret),
        created_at=now,
        expires_at=now + timedelta(days=1),
    )

    assert token.secret_hash == hash_secret(secret)
