"""Use cases on API tokens: issue, revoke, rotate, extend, delete and watch their expiry."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from app.domain.bulk import versions_of
from app.domain.clock import Clock, system_clock
from app.domain.errors import InvalidReference, NotFound
from app.domain.paging import Page, PageRequest
from app.domain.ports import UnitOfWork
from app.domain.token_rules import check_extension_expiry
from app.domain.tokens import (
    DEFAULT_SOON,
    REVOKED_BY_MAX,
    BulkResult,
    IssuedToken,
    Token,
    TokenFilter,
    TokenRequest,
    TokenStatus,
    valid_expiry,
)
from app.services.base import Service
from app.services.bulk import bulk_report, deleted_rows
from app.services.token_reports import TokenReports
from app.services.token_secrets import generate_secret, hash_secret, secret_prefix


def _left_alone(why: str | None) -> str:
    # The guarded write mirrors the domain's rule, so a row it left alone has a reason.
    return why or "it was left alone"


def _why_not_revoked(token: Token) -> str:
    return _left_alone(token.why_not_revocable())


class TokenService(Service):
    """What the window can do with tokens. Each method is one transaction.

    The pages and figures of the tabs are read through :attr:`reports`.

    Attributes:
        reports: the reads of the Tokens and Users tabs, on the same clock and threshold.

    Args:
        uow_factory: makes a fresh unit of work per use case.
        clock: the source of now, for expiry rules and timestamps.
        soon: how much time left makes a token "expiring soon".
        actor: who is using Tessera (recorded as ``revoked_by``); the OS login name.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock = system_clock,
        soon: timedelta = DEFAULT_SOON,
        actor: str = "tessera",
    ) -> None:
        super().__init__(uow_factory, clock)
        self._soon = soon
        self.reports = TokenReports(uow_factory, clock, soon)
        # The column holds at most REVOKED_BY_MAX characters; a login name is far shorter.
        self._actor = actor.strip()[:REVOKED_BY_MAX] or "tessera"

    async def count(self, filter: TokenFilter, limit: int | None = None) -> int:
        """How many tokens match ``filter`` (statuses judged as in ``reports.list``).

        Args:
            filter: owner, text and statuses.
            limit: stop counting at this many (a huge result need not be counted).

        Returns:
            The exact count, or ``limit`` when there are at least that many.
        """
        dated = filter.dated(self._clock(), self._soon)
        return await self._read(lambda uow: uow.tokens.count(dated, limit))

    async def estimate_total(self) -> int:
        """All tokens in the table, estimated: instant even on millions of rows.

        Returns:
            The planner's estimate (exact for small tables that were never analysed).
        """
        return await self._read(lambda uow: uow.tokens.estimate_total())

    async def get_many(self, token_ids: Collection[int]) -> Sequence[Token]:
        """The tokens with these ids that still exist, in id order (to refresh shown rows)."""
        return await self._read(lambda uow: uow.tokens.get_many(token_ids))

    async def get(self, token_id: int) -> Token:
        """The token with this id.

        Args:
            token_id: the token's id.

        Returns:
            The token.

        Raises:
            NotFound: no such token.
        """
        return await self._read(lambda uow: uow.tokens.get(token_id))

    def status(self, token: Token) -> TokenStatus:
        """Where the token stands now.

        Args:
            token: a stored token.

        Returns:
            Active, expiring soon, expired or revoked.
        """
        return token.status(self._clock(), self._soon)

    async def issue(self, request: TokenRequest) -> IssuedToken:
        """Issue a token; its secret is returned here and nowhere else, ever.

        Args:
            request: owner, name, scopes and expiry.

        Returns:
            The stored token (hash and prefix only) and the secret.

        Raises:
            InvalidInput: the expiry is not in the future or too far away.
            InvalidReference: the owner does not exist.
        """
        now = self._clock()
        secret = generate_secret()
        new = request.issued(secret_prefix(secret), hash_secret(secret), now)
        async with self._uow_factory() as uow:
            try:
                await uow.users.get(request.owner_id)
            except NotFound:
                raise InvalidReference(
                    "owner_id", "The owner chosen does not exist; they may have been deleted."
                ) from None
            token = await uow.tokens.add(new, now)
            await uow.commit()
        return IssuedToken(token=token, secret=secret)

    async def revoke(self, token_id: int, version: int) -> Token:
        """Revoke the token from now on.

        Args:
            token_id: the token's id.
            version: the version the administrator saw.

        Returns:
            The revoked token.

        Raises:
            NotFound: no such token.
            NotAllowed: it is already revoked.
            Conflict: the token changed since ``version``.
        """
        now = self._clock()
        async with self._uow_factory() as uow:
            revoked = await self._revoke(uow, token_id, version, now)
            await uow.commit()
        return revoked

    async def _revoke(self, uow: UnitOfWork, token_id: int, version: int, now: datetime) -> Token:
        token = await uow.tokens.get(token_id)
        patch = token.revoked(by=self._actor, at=now)
        return await uow.tokens.update(token_id, version, patch.changes(), now)

    async def rotate(self, token_id: int, version: int) -> IssuedToken:
        """Replace the token by a new one: revoke it and issue its successor, together.

        The successor has the same owner, name and scopes, and the same lifetime
        (``expires_at - created_at``) counted from now, at most ``MAX_LIFETIME``.

        Args:
            token_id: the token's id.
            version: the version the administrator saw.

        Returns:
            The successor and its secret, shown this once.

        Raises:
            NotFound: no such token.
            NotAllowed: it is already revoked.
            Conflict: the token changed since ``version``.
        """
        now = self._clock()
        secret = generate_secret()
        async with self._uow_factory() as uow:
            old = await self._revoke(uow, token_id, version, now)
            new = old.successor(secret_prefix(secret), hash_secret(secret), now)
            successor = await uow.tokens.add(new, now)
            await uow.commit()
        return IssuedToken(token=successor, secret=secret)

    async def revoke_many(self, tokens: Sequence[Token]) -> BulkResult[Token]:
        """Revoke these tokens from now on: one guarded UPDATE, in one transaction.

        Only tokens still at the version the window loaded are revoked; the others are
        reported: changed meanwhile (``stale``), deleted (``gone``), or already revoked.

        Args:
            tokens: the tokens selected, as the window loaded them.

        Returns:
            What happened to each token.
        """
        now = self._clock()
        async with self._uow_factory() as uow:
            done = await uow.tokens.revoke_many(versions_of(tokens), now, self._actor)
            result = await bulk_report(uow.tokens, tokens, done, _why_not_revoked)
            await uow.commit()
        return result

    async def extend_many(self, tokens: Sequence[Token], expires_at: datetime) -> BulkResult[Token]:
        """Move these tokens' expiry to ``expires_at``: one guarded UPDATE, in one transaction.

        Revoked tokens and tokens already expiring at or after ``expires_at`` are left
        alone (``skipped``). Expired tokens are revived, as :meth:`extend` does. Tokens
        changed or deleted since the window loaded them are reported, not touched.

        Args:
            tokens: the tokens selected, as the window loaded them.
            expires_at: the new expiry, time-zone aware.

        Returns:
            What happened to each token.

        Raises:
            InvalidInput: at ``expires_at``, if not in the future or beyond the maximum
                lifetime from now.
        """
        new_expiry = valid_expiry(expires_at)
        now = self._clock()
        check_extension_expiry(new_expiry, now)

        def why_not(token: Token) -> str:
            return _left_alone(token.why_not_extendable(new_expiry))

        async with self._uow_factory() as uow:
            done = await uow.tokens.extend_many(versions_of(tokens), new_expiry, now)
            result = await bulk_report(uow.tokens, tokens, done, why_not)
            await uow.commit()
        return result

    async def delete_many(self, tokens: Sequence[Token]) -> BulkResult[Token]:
        """Delete these tokens for good: one guarded DELETE, in one transaction.

        Only tokens still at the version the window loaded are deleted; the others are
        reported as changed meanwhile (``stale``) or already deleted (``gone``).

        Args:
            tokens: the tokens selected, as the window loaded them.

        Returns:
            What happened to each token (``done`` holds the window's copies).
        """
        async with self._uow_factory() as uow:
            ids = await uow.tokens.delete_many(versions_of(tokens))
            result = await bulk_report(uow.tokens, tokens, deleted_rows(tokens, ids))
            await uow.commit()
        return result

    async def extend(self, token_id: int, version: int, expires_at: datetime) -> Token:
        """Move the token's expiry later.

        An expired token may be extended (that revives it), but like any token only up
        to ``MAX_LIFETIME`` from now.

        Args:
            token_id: the token's id.
            version: the version the administrator saw.
            expires_at: the new expiry, time-zone aware.

        Returns:
            The token with its new expiry.

        Raises:
            NotFound: no such token.
            NotAllowed: the token is revoked.
            InvalidInput: at ``expires_at``, if not later than the current expiry, not
                in the future, or beyond the maximum lifetime.
            Conflict: the token changed since ``version``.
        """
        new_expiry = valid_expiry(expires_at)
        now = self._clock()
        async with self._uow_factory() as uow:
            token = await uow.tokens.get(token_id)
            patch = token.extended_to(new_expiry, now)
            extended = await uow.tokens.update(token_id, version, patch.changes(), now)
            await uow.commit()
        return extended

    async def list_expiring(self, within: timedelta, page: PageRequest) -> Page[Token]:
        """Unrevoked tokens that are still valid but expire within ``within``.

        Args:
            within: how far ahead to look.
            page: direction, cursor and size; rows are always sorted by expiry.

        Returns:
            The page and the cursor of the next one.
        """
        now = self._clock()
        async with self._uow_factory() as uow:
            # Soonest first whatever the caller asked, so cursors stay consistent.
            by_expiry = replace(page, sort="expires_at")
            result = await uow.tokens.list_expiring(now, now + within, by_expiry)
            await uow.commit()
        return result
