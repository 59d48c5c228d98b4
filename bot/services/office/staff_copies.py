"""The notice of a question to the staff on duty: one copy each, kept so that it can be edited
in place when someone takes the question, answers or closes it; its files follow it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TypedDict

from sqlalchemy import false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ChannelIdentity, OutboxMessage, QuestionCopy, User
from bot.delivery import PENDING, enqueue
from bot.i18n import Catalogs
from bot.services.people.users import used_last_first
from conversations.office.ports import QuestionView, Render
from conversations.ports import Translator

# (user id, locale, channel, external id)
Address = tuple[int, str, str, str]


class Delivery(TypedDict):
    """What every message about a question is sent with."""

    now: datetime
    queued: list[int]  # the outbox ids for other people, to send after the commit
    admins: frozenset[str]
    catalogs: Catalogs
    region_id: int | None


def _staff(admins: frozenset[str]) -> object:
    matches = [
        (ChannelIdentity.channel == address.split(":", 1)[0])
        & (ChannelIdentity.external_id == address.split(":", 1)[1])
        for address in admins
    ]
    named = select(ChannelIdentity.user_id).where(or_(false(), *matches))
    return or_(User.is_staff.is_(True), User.id.in_(named))


async def on_duty(
    session: AsyncSession, *, region_id: int | None, admins: frozenset[str]
) -> list[Address]:
    """Staff of the question's region and those without one; all staff where none of them
    is there (no staff has a region, or the person has none). Each at the messenger they used
    last."""
    rows = (
        await session.execute(
            select(
                User.id,
                User.locale,
                User.region_id,
                ChannelIdentity.channel,
                ChannelIdentity.external_id,
            )
            .join(ChannelIdentity)
            .where(_staff(admins))  # type: ignore[arg-type]
            .order_by(User.id, *used_last_first())
        )
    ).all()
    first: dict[int, tuple[Address, int | None]] = {}
    for user_id, locale, staff_region, channel, external_id in rows:
        first.setdefault(user_id, ((user_id, locale, channel, external_id), staff_region))
    local = [
        address
        for address, staff_region in first.values()
        if region_id is not None and staff_region in (region_id, None)
    ]
    regional = any(staff_region is not None for _, staff_region in first.values())
    if regional and any(r == region_id for _, r in first.values()):
        return local
    return [address for address, _ in first.values()]


async def _user_address(session: AsyncSession, user_id: int) -> Address | None:
    row = (
        await session.execute(
            select(User.id, User.locale, ChannelIdentity.channel, ChannelIdentity.external_id)
            .join(ChannelIdentity)
            .where(User.id == user_id)
            .order_by(*used_last_first())
            .limit(1)
        )
    ).first()
    return (row[0], row[1], row[2], row[3]) if row else None


async def _queue(
    session: AsyncSession,
    address: Address,
    render: Render,
    *,
    key: str,
    about: int,
    now: datetime,
    queued: list[int],
    catalogs: Catalogs,
) -> None:
    user_id, locale, channel, external_id = address
    row_id = await enqueue(
        session,
        channel=channel,
        address=external_id,
        reply=render(catalogs.translator(locale)),
        dedup_key=key,
        now=now,
        user_id=user_id,
        about_user_id=about if about != user_id else None,
    )
    if row_id is not None:
        queued.append(row_id)


async def send_copies(
    session: AsyncSession,
    question: QuestionView,
    render: Render,
    files: Sequence[Render],
    *,
    now: datetime,
    queued: list[int],
    admins: frozenset[str],
    catalogs: Catalogs,
    region_id: int | None,
) -> None:
    for address in await on_duty(session, region_id=region_id, admins=admins):
        key = f"question:{question.id}:notice:to:{address[0]}"
        await _queue(
            session,
            address,
            render,
            key=key,
            about=question.user_id,
            now=now,
            queued=queued,
            catalogs=catalogs,
        )
        session.add(QuestionCopy(question_id=question.id, staff_id=address[0], dedup_key=key))
        for number, file in enumerate(files, start=1):
            await _queue(
                session,
                address,
                file,
                key=f"question:{question.id}:file:{number}:to:{address[0]}",
                about=question.user_id,
                now=now,
                queued=queued,
                catalogs=catalogs,
            )


async def send_to_handler(
    session: AsyncSession,
    question: QuestionView,
    render: Render,
    files: Sequence[Render],
    *,
    key: str,
    now: datetime,
    queued: list[int],
    admins: frozenset[str],
    catalogs: Catalogs,
    region_id: int | None,
) -> None:
    """To the staff member who took it, else to the staff on duty."""
    handler = await _user_address(session, question.taken_by_id) if question.taken_by_id else None
    addresses = (
        [handler]
        if handler is not None
        else await on_duty(session, region_id=region_id, admins=admins)
    )
    for address in addresses:
        for number, each in enumerate([render, *files]):
            await _queue(
                session,
                address,
                each,
                key=f"{key}:{number}:to:{address[0]}",
                about=question.user_id,
                now=now,
                queued=queued,
                catalogs=catalogs,
            )


async def edit_copies(
    session: AsyncSession,
    question: QuestionView,
    render: Render,
    *,
    edit: int,
    now: datetime,
    queued: list[int],
    catalogs: Catalogs,
) -> None:
    """Each copy sent already is edited by a new outbox row (`edit_of` its message); one not
    sent yet is simply sent as it reads now."""
    rows = await session.execute(
        select(OutboxMessage, User.locale)
        .join(QuestionCopy, QuestionCopy.dedup_key == OutboxMessage.dedup_key)
        .join(User, User.id == QuestionCopy.staff_id)
        .where(QuestionCopy.question_id == question.id)
    )
    for outbox, locale in rows:
        translator: Translator = catalogs.translator(locale)
        reply = render(translator)
        if outbox.external_message_id is None:
            if outbox.status == PENDING:
                outbox.payload = reply.to_payload()
            continue
        row_id = await enqueue(
            session,
            channel=outbox.channel,
            address=outbox.address,
            reply=replace(reply, edit_of=outbox.external_message_id),
            dedup_key=f"{outbox.dedup_key}:edit:{edit}",
            now=now,
            user_id=outbox.user_id,
            about_user_id=outbox.about_user_id,
        )
        if row_id is not None:
            queued.append(row_id)
