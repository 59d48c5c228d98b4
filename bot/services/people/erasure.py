"""Erasing people: everything that names or reaches them goes, in the caller's transaction;
applications they submitted stay as funding records with a marker instead of name and contact,
and the audit log keeps a pseudonym instead of their id and addresses."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Text, cast, delete, false, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import ColumnElement

from bot.db.models import (
    Application,
    Broadcast,
    ChannelIdentity,
    InboxMessage,
    OutboxMessage,
    ProcessedUpdate,
    Question,
    Rsvp,
    ShownChoices,
    SurveyAnswer,
    User,
)
from bot.delivery import PENDING, SENDING
from bot.services.people import audit
from conversations.people.ports import ERASED, Erasure

# A text shorter than this (a first name like "Ali") is too common to find the person by in
# messages to others: those are found by whom they are about instead.
SHORTEST_SEARCHED = 5


async def erase(
    session: AsyncSession, user_ids: Sequence[int], *, update_key: str | None = None
) -> Erasure:
    """Erase these people: profile, addresses, conversation, drafts, answers to meetings and
    surveys, questions to the office, link codes, the inbox rows and update keys of theirs and
    every outbox row to or about them. `update_key`: the update being handled that asked for
    it (its row and key go too; messages still waiting after it are handled afterwards, as
    from someone new)."""
    if not user_ids:
        return Erasure((), 0, 0, 0, 0, ())
    identities = (
        await session.execute(
            select(ChannelIdentity.user_id, ChannelIdentity.channel, ChannelIdentity.external_id)
            .where(ChannelIdentity.user_id.in_(user_ids))
            .order_by(ChannelIdentity.id)
        )
    ).all()
    addresses = [(channel, external_id) for _, channel, external_id in identities]
    applications = (
        await session.scalars(select(Application).where(Application.user_id.in_(user_ids)))
    ).all()
    names = await _names(session, user_ids, applications)
    kept = [a for a in applications if a.reference is not None]
    drafts = [a for a in applications if a.reference is None]
    meeting_answers = await _count(session, Rsvp, Rsvp.user_id.in_(user_ids))
    survey_answers = await _count(session, SurveyAnswer, SurveyAnswer.user_id.in_(user_ids))
    questions = await _count(session, Question, Question.user_id.in_(user_ids))

    messages = await _erase_messages(
        session, user_ids, addresses, [a.id for a in applications], names
    )
    await _erase_inbox(session, addresses, update_key)
    for draft in drafts:
        await session.delete(draft)
    for record in kept:
        record.user_id = None
        record.applicant_name = ERASED if record.applicant_name else None
        record.organisation = ERASED if record.organisation else None
        record.contact = ERASED if record.contact else None
    if addresses:  # a staff member's announcements report to no one any more
        await session.execute(
            update(Broadcast)
            .where(tuple_(Broadcast.report_channel, Broadcast.report_address).in_(addresses))
            .values(
                report_address="",
                report_text=None,
                finished_at=func.coalesce(Broadcast.finished_at, Broadcast.created_at),
            )
        )
    for user_id in user_ids:
        await audit.pseudonymise(
            session,
            [f"user:{user_id}"] + [f"{c}:{e}" for owner, c, e in identities if owner == user_id],
        )
    await session.flush()
    # The rest goes with the person's row: identities, conversation, answers, memberships, link
    # codes and questions to the office with their messages by their foreign keys (ON DELETE
    # CASCADE); staff decisions, meetings they made, questions they took and answers they wrote
    # keep no reference to them (ON DELETE SET NULL).
    await session.execute(delete(User).where(User.id.in_(user_ids)))
    return Erasure(
        addresses=[f"{c}:{e}" for c, e in addresses],
        drafts=len(drafts),
        meeting_answers=meeting_answers,
        survey_answers=survey_answers,
        messages=messages,
        kept_records=sorted(a.reference for a in kept if a.reference),
        questions=questions,
    )


async def _count(session: AsyncSession, table: Any, where: ColumnElement[bool]) -> int:
    return await session.scalar(select(func.count()).select_from(table).where(where)) or 0


async def _names(
    session: AsyncSession, user_ids: Sequence[int], applications: Iterable[Application]
) -> set[str]:
    """The texts that name the people: what they are called and how they are reached."""
    names = set(
        (await session.scalars(select(User.display_name).where(User.id.in_(user_ids)))).all()
    )
    for application in applications:
        names.update((application.applicant_name, application.contact))
    return {name for name in names if name and len(name.strip()) >= SHORTEST_SEARCHED}


async def _erase_messages(
    session: AsyncSession,
    user_ids: Sequence[int],
    addresses: list[tuple[str, str]],
    application_ids: list[int],
    names: set[str],
) -> int:
    """Every outbox row to them, about them (a notice to staff of their application or report)
    or, once sent, naming them (a list of attendees a staff member was shown)."""
    about_them: list[ColumnElement[bool]] = [
        OutboxMessage.user_id.in_(user_ids),
        OutboxMessage.about_user_id.in_(user_ids),
    ]
    if addresses:
        about_them.append(tuple_(OutboxMessage.channel, OutboxMessage.address).in_(addresses))
    for application_id in application_ids:
        for kind in ("application", "report"):
            about_them.append(OutboxMessage.dedup_key.startswith(f"{kind}:{application_id}:"))
    ids = set((await session.scalars(select(OutboxMessage.id).where(or_(*about_them)))).all())
    ids.update(await _sent_naming(session, names, addresses))
    for chunk in _chunks(sorted(ids)):
        await session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(chunk)))
    return len(ids)


async def _sent_naming(
    session: AsyncSession, names: set[str], addresses: list[tuple[str, str]]
) -> set[int]:
    """Rows already sent (or given up) whose text names the person: a row still waiting is
    only taken when it is to or about them, so that no one else misses a message for a
    coincidence of names."""
    searched = names | {external_id for _, external_id in addresses}
    searched = {text for text in searched if len(text) >= SHORTEST_SEARCHED}
    if not searched:
        return set()
    stored = cast(OutboxMessage.payload, Text)
    variants = {
        variant
        for text in searched
        for shown in (text, html.escape(text))
        for variant in (shown, json.dumps(shown)[1:-1])
    }
    rows = await session.execute(
        select(OutboxMessage.id, OutboxMessage.payload).where(
            OutboxMessage.status.not_in([PENDING, SENDING]),
            or_(false(), *(stored.contains(v, autoescape=True) for v in variants)),
        )
    )
    whole = re.compile(
        "|".join(rf"(?<!\w){re.escape(text)}(?!\w)" for text in sorted(searched, key=len)),
    )
    found = set()
    for row_id, payload in rows:
        text = html.unescape(json.dumps(payload, ensure_ascii=False))
        if whole.search(text):
            found.add(row_id)
    return found


async def _erase_inbox(
    session: AsyncSession, addresses: list[tuple[str, str]], update_key: str | None
) -> None:
    """Their handled inbox rows with the update keys they left, and the keys that carry their
    address (a Signal message's)."""
    theirs: list[ColumnElement[bool]] = []
    if addresses:
        theirs.append(
            tuple_(InboxMessage.channel, InboxMessage.chat).in_(addresses)
            & (InboxMessage.status != PENDING)
        )
    if update_key is not None:
        theirs.append(InboxMessage.update_key == update_key)
    if not theirs:
        return
    keys = set((await session.scalars(select(InboxMessage.update_key).where(or_(*theirs)))).all())
    if update_key is not None:
        keys.add(update_key)
    for chunk in _chunks(sorted(keys)):
        await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.key.in_(chunk)))
    await session.execute(delete(InboxMessage).where(or_(*theirs)))
    for channel, external_id in addresses:
        await session.execute(
            delete(ProcessedUpdate).where(
                ProcessedUpdate.key.startswith(f"{channel}:{external_id}:", autoescape=True)
            )
        )
    if addresses:
        await session.execute(
            delete(ShownChoices).where(
                tuple_(ShownChoices.channel, ShownChoices.address).in_(addresses)
            )
        )


def _chunks(values: list[Any], size: int = 500) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
