"""One person, two messengers: a one-time code shown in one (`/link`), typed in the other, joins
the two profiles into one, with everything each of them holds."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import Table, and_, delete, exists, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import ColumnElement

from bot.db.base import Base
from bot.db.models import Conversation, LinkCode, User
from bot.services.people import audit
from conversations.people.ports import LinkCodeView, LinkResult

CODE_DIGITS = 8
VALID_FOR = timedelta(minutes=15)
# Merged into the profile that is kept, field by field, where it has none of its own.
PROFILE_FIELDS = ("role", "region_id", "display_name", "consented_at")


async def new_code(session: AsyncSession, *, user_id: int, now: datetime) -> LinkCodeView:
    """A fresh code for this person (an earlier one stops working)."""
    await session.execute(delete(LinkCode).where(LinkCode.user_id == user_id))
    await session.execute(delete(LinkCode).where(LinkCode.expires_at <= now))
    while True:
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        if await session.get(LinkCode, code) is None:
            break
    session.add(LinkCode(code=code, user_id=user_id, expires_at=now + VALID_FOR))
    await session.flush()
    return LinkCodeView(code=code, expires_at=now + VALID_FOR)


async def use_code(
    session: AsyncSession, *, user_id: int, code: str, now: datetime, actor: str
) -> LinkResult:
    """Join the profile that typed `code` with the one that was shown it. The profile kept is
    the one set up (the other's addresses, applications, answers move to it)."""
    row = await session.get(LinkCode, code, with_for_update=True)
    if row is None:
        return LinkResult.UNKNOWN
    if row.expires_at <= now:
        await session.delete(row)
        return LinkResult.EXPIRED
    if row.user_id == user_id:
        return LinkResult.SAME
    shown_to = await session.get(User, row.user_id)
    typed_by = await session.get(User, user_id)
    assert shown_to is not None and typed_by is not None
    await session.delete(row)
    keep, merge = shown_to, typed_by
    if merge.consented_at is not None and keep.consented_at is None:
        keep, merge = merge, keep
    await join(session, keep=keep, merge=merge)
    if keep.id != user_id:  # the chat that showed the code no longer waits for one
        await session.execute(
            delete(Conversation).where(Conversation.user_id == keep.id, Conversation.flow == "link")
        )
    audit.record(session, actor=actor, action="user.link", subject=f"user:{keep.id}", at=now)
    return LinkResult.JOINED if keep.id == user_id else LinkResult.MOVED


async def join(session: AsyncSession, *, keep: User, merge: User) -> None:
    """Everything that refers to `merge` refers to `keep` from now on, then `merge` goes: rows
    that would clash (an answer to the same meeting, say) keep `keep`'s; `merge`'s open
    conversation ends."""
    for field in PROFILE_FIELDS:
        if getattr(keep, field) is None:
            setattr(keep, field, getattr(merge, field))
    keep.is_staff = keep.is_staff or merge.is_staff
    keep.announcements_muted = keep.announcements_muted and merge.announcements_muted
    await session.flush()
    await session.execute(delete(Conversation).where(Conversation.user_id == merge.id))
    users = User.__table__
    for table in Base.metadata.sorted_tables:
        for key in table.foreign_keys:
            if key.column.table is not users or table is users:
                continue
            await _move(session, table, key.parent, keep=keep.id, merge=merge.id)
    # Not through the ORM, which would null what it still thinks refers to `merge`.
    session.expunge(merge)
    await session.execute(delete(User).where(User.id == merge.id))


async def _move(
    session: AsyncSession, table: Table, column: ColumnElement[int], *, keep: int, merge: int
) -> None:
    """Point `column` from `merge` to `keep`, first dropping `merge`'s rows that would clash
    with `keep`'s under a unique key the column is part of."""
    for unique in _unique_keys(table):
        if column.name not in unique:
            continue
        others = [table.c[name] for name in unique if name != column.name]
        theirs = table.alias()
        clash = exists().where(
            theirs.c[column.name] == keep,
            *(theirs.c[other.name] == other for other in others),
        )
        await session.execute(delete(table).where(and_(column == merge, clash)))
    await session.execute(update(table).where(column == merge).values({column.name: keep}))


def _unique_keys(table: Table) -> list[set[str]]:
    keys = [{column.name for column in table.primary_key.columns}]
    keys += [{column.name for column in index.columns} for index in table.indexes if index.unique]
    keys += [{column.name} for column in table.columns if column.unique]
    return keys
