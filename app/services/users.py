"""Use cases on users: list, find, create, edit and delete them."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from app.domain.bulk import BulkResult, UsersDeleted, versions_of
from app.domain.errors import AlreadyExists
from app.domain.paging import Page, PageRequest
from app.domain.users import DeleteImpact, User, UserDraft, UserFilter, UserPatch
from app.services.base import Service
from app.services.bulk import bulk_report, deleted_rows


class UserService(Service):
    """What the window can do with users. Each method is one transaction.

    Args:
        uow_factory: makes a fresh unit of work per use case.
        clock: the source of now, stamped on created and updated rows.
    """

    async def list(self, filter: UserFilter, page: PageRequest) -> Page[User]:
        """One page of the users that match ``filter``.

        Args:
            filter: search text, role and active flag.
            page: sort, direction, cursor and size.

        Returns:
            The page and the cursor of the next one.
        """
        return await self._read(lambda uow: uow.users.list(filter, page))

    async def count(self, filter: UserFilter, limit: int | None = None) -> int:
        """How many users match ``filter``.

        Args:
            filter: search text, role and active flag.
            limit: stop counting at this many (a huge result need not be counted).

        Returns:
            The exact count, or ``limit`` when there are at least that many.
        """
        return await self._read(lambda uow: uow.users.count(filter, limit))

    async def get_many(self, user_ids: Collection[int]) -> Sequence[User]:
        """The users with these ids that still exist (to name owners in other tables).

        Args:
            user_ids: ids to look up.

        Returns:
            The users found, in id order.
        """
        return await self._read(lambda uow: uow.users.get_many(user_ids))

    async def estimate_total(self) -> int:
        """All users in the table, estimated: instant even on millions of rows.

        Returns:
            The planner's estimate (exact for small tables that were never analysed).
        """
        return await self._read(lambda uow: uow.users.estimate_total())

    async def get(self, user_id: int) -> User:
        """The user with this id.

        Args:
            user_id: the user's id.

        Returns:
            The user.

        Raises:
            NotFound: no such user.
        """
        return await self._read(lambda uow: uow.users.get(user_id))

    async def search(self, text: str, limit: int = 20) -> Sequence[User]:
        """Users whose email or name contains ``text``, for an owner picker.

        Args:
            text: what was typed; blank lists the first users by email.
            limit: how many to return at most.

        Returns:
            Up to ``limit`` users sorted by email.
        """
        query = UserFilter(search=text.strip() or None)
        page = await self.list(query, PageRequest(sort="email", limit=limit))
        return page.items

    async def create(self, draft: UserDraft) -> User:
        """Create a user.

        Args:
            draft: the validated new user.

        Returns:
            The stored user, version 1.

        Raises:
            AlreadyExists: another user has this email (in any case).
        """
        async with self._uow_factory() as uow:
            # Checked first for a clear message; the unique index still guards races.
            if await uow.users.get_by_email(draft.email) is not None:
                raise AlreadyExists("user", "email")
            user = await uow.users.add(draft, self._clock())
            await uow.commit()
        return user

    async def update(self, user_id: int, version: int, patch: UserPatch) -> User:
        """Apply the fields set in ``patch`` to the user if it is still at ``version``.

        Args:
            user_id: the user's id.
            version: the version the editor started from.
            patch: the fields to change; unset fields keep their value.

        Returns:
            The updated user, or the user as stored if the patch changes nothing.

        Raises:
            NotFound: no such user.
            Conflict: the user changed since ``version``.
            AlreadyExists: another user has the new email.
        """
        # Every user column is NOT NULL, so an explicit None can only mean "keep it".
        changes = {k: v for k, v in patch.model_dump(exclude_unset=True).items() if v is not None}
        async with self._uow_factory() as uow:
            if not changes:
                user = await uow.users.get(user_id)
            else:
                if "email" in changes:
                    owner = await uow.users.get_by_email(str(changes["email"]))
                    if owner is not None and owner.id != user_id:
                        raise AlreadyExists("user", "email")
                user = await uow.users.update(user_id, version, changes, self._clock())
            await uow.commit()
        return user

    async def delete_impact(self, user_ids: Collection[int]) -> DeleteImpact:
        """What deleting these users would take with them, for the confirmation dialog.

        One short read and one query for the whole selection, however many users it holds:
        a question per user made the dialog wait on hundreds of round trips.

        Returns:
            How many tokens and events belong to them, in total.

        Raises:
            NotFound: one of them was deleted meanwhile.
        """
        return await self._read(lambda uow: uow.users.delete_impact(user_ids))

    async def delete_many(self, users: Sequence[User]) -> UsersDeleted:
        """Delete these users with their tokens and events: one guarded DELETE, one transaction.

        Only users still at the version the window loaded are deleted; the others are
        reported as changed meanwhile (``stale``, as they are now) or already deleted
        (``gone``), and keep their tokens and events.

        Args:
            users: the users selected, as the window loaded them.

        Returns:
            What happened to each user, and how many tokens and events went with those
            deleted.
        """
        async with self._uow_factory() as uow:
            ids, impact = await uow.users.delete_many_counted(versions_of(users))
            result: BulkResult[User] = await bulk_report(uow.users, users, deleted_rows(users, ids))
            await uow.commit()
        return UsersDeleted(result, impact)
