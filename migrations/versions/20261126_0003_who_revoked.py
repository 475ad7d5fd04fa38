"""Who revoked a token.

Adds ``tokens.revoked_by``: the login name of the person who revoked the token through
Tessera (null for tokens never revoked, or revoked before this revision).

No index comes with it: nothing searches or sorts by ``revoked_by``. The queries of the
quick filters, the expiry histogram and token health are served by the indexes already
there — ``ix_tokens_unrevoked_expires_at_id`` (histogram: unrevoked tokens in an expiry
range), ``ix_tokens_owner_id_expires_at`` (one user's counts, health of a page of users)
and the primary key (bulk revoke and extend by id) — and the counts over every token
read the whole table in one pass whatever the index.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A nullable column without a default: instant, no table rewrite.
    op.add_column("tokens", sa.Column("revoked_by", sa.Text(), nullable=True))
    op.create_check_constraint(
        op.f("ck_tokens_revoked_by_length"), "tokens", "char_length(revoked_by) <= 200"
    )


def downgrade() -> None:
    # Dropping the column drops its check constraint with it.
    op.drop_column("tokens", "revoked_by")
