"""Token secrets: generated once, shown once, stored only as a hash and a short prefix.

The secrets are 256 random bits, so a single fast SHA-256 is enough: a slow password KDF
(bcrypt, scrypt, Argon2) exists to make guessing low-entropy human passwords expensive,
and nobody can enumerate 2**256 candidates however fast each hash is. A fast hash also
lets the server look a token up by its hash with an index.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from app.domain.tokens import PREFIX_LENGTH

MARK = "tsr_"
_SECRET_BYTES = 32


def generate_secret() -> str:
    """A new random token secret.

    The fixed ``tsr_`` mark lets secret scanners and people recognise a leaked token.

    Returns:
        ``tsr_`` followed by 43 URL-safe characters (256 random bits).
    """
    return MARK + secrets.token_urlsafe(_SECRET_BYTES)


def hash_secret(secret: str) -> str:
    """The value stored in place of the secret.

    Args:
        secret: the secret as shown to the administrator.

    Returns:
        The SHA-256 of the UTF-8 secret, as 64 lowercase hex digits.
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_prefix(secret: str) -> str:
    """The beginning of the secret, stored in clear so people can tell tokens apart.

    Args:
        secret: the secret as shown to the administrator.

    Returns:
        Its first ``PREFIX_LENGTH`` characters.
    """
    return secret[:PREFIX_LENGTH]


def verify_secret(secret: str, secret_hash: str) -> bool:
    """Whether ``secret`` is the one whose hash was stored.

    Args:
        secret: the secret presented.
        secret_hash: the stored hash.

    Returns:
        True if they match, compared in constant time.
    """
    # Bytes, because compare_digest refuses str holding anything but ASCII.
    return hmac.compare_digest(hash_secret(secret).encode(), secret_hash.encode("utf-8"))
