"""Claiming outbox rows to send: due, in order per chat, replies before announcements, with
`FOR UPDATE SKIP LOCKED` and a lease so that several processes never take the same row, and
announcements held back by flood control and paced per channel.

A claim is one `UPDATE … RETURNING` (and a check of the order per chat); its statement is built
once per shape and then only executed with new parameters."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.channels.base import Channel
from bot.db.models import OutboxMessage
from bot.db.session import Database
from bot.delivery.outbox import ANNOUNCEMENT_PRIORITY, EXPIRED, PENDING, SENDING
from bot.delivery.pace import Pace
from conversations.ports import Clock

log = logging.getLogger(__name__)
# Rows past their time are excluded from every claim; marking them as expired can wait a little.
EXPIRE_EVERY = timedelta(seconds=5)
_NOW = bindparam("claim_now", type_=OutboxMessage.next_attempt_at.type)
_WAITING = or_(
    and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= _NOW),
    and_(OutboxMessage.status == SENDING, OutboxMessage.lease_until <= _NOW),
)
_IN_TIME = or_(OutboxMessage.expires_at.is_(None), OutboxMessage.expires_at > _NOW)
_EXPIRE = (
    update(OutboxMessage)
    .where(_WAITING, ~_IN_TIME)
    .values(status=EXPIRED, claim_token=None, lease_until=None)
    .execution_options(synchronize_session=False)
)
_BULK = OutboxMessage.priority >= ANNOUNCEMENT_PRIORITY
# Per chat among those given, the first row unsent and not in this claim, and the first such row
# that is not an announcement merely waiting (a reply may overtake those).
_FOREIGN = (
    select(
        OutboxMessage.channel,
        OutboxMessage.address,
        func.min(OutboxMessage.id),
        func.min(
            case((and_(OutboxMessage.status == PENDING, _BULK), None), else_=OutboxMessage.id)
        ),
    )
    .where(
        tuple_(OutboxMessage.channel, OutboxMessage.address).in_(
            bindparam("order_chats", expanding=True)
        ),
        OutboxMessage.status.in_([PENDING, SENDING]),
        or_(
            OutboxMessage.claim_token.is_(None),
            OutboxMessage.claim_token != bindparam("order_token"),
        ),
    )
    .group_by(OutboxMessage.channel, OutboxMessage.address)
)
_GIVE_BACK = (
    update(OutboxMessage)
    .where(OutboxMessage.id.in_(bindparam("order_returned", expanding=True)))
    .values(status=PENDING, claim_token=None, lease_until=None, attempts=OutboxMessage.attempts - 1)
    .execution_options(synchronize_session=False)
)


def _claim_statement(
    held: bool, paces: bool, paced: tuple[str, ...], ids: bool, chat: bool, all_paced: bool
) -> Executable:
    """The claim of one shape: which channels are held or paced (`all_paced`: every channel),
    and whether it takes given rows or one chat's. Everything else is a parameter."""
    earlier = aliased(OutboxMessage)
    # Per chat, in order: nothing may overtake an earlier row that is in flight or waiting.
    blocked = exists().where(
        earlier.channel == OutboxMessage.channel,
        earlier.address == OutboxMessage.address,
        earlier.id < OutboxMessage.id,
        or_(
            and_(earlier.status == SENDING, earlier.lease_until > _NOW),
            and_(earlier.status == PENDING, earlier.next_attempt_at > _NOW),
        ),
    )
    claimable: ColumnElement[bool] = and_(
        _IN_TIME,
        ~blocked,
        OutboxMessage.channel.in_(bindparam("claim_channels", expanding=True)),
    )
    if held:
        claimable = and_(
            claimable,
            or_(
                OutboxMessage.channel.not_in(bindparam("claim_held", expanding=True)),
                ~_BULK,
            ),
        )
    if ids:
        claimable = and_(claimable, OutboxMessage.id.in_(bindparam("claim_ids", expanding=True)))
    if chat:
        claimable = and_(
            claimable,
            OutboxMessage.channel == bindparam("claim_chat_channel"),
            OutboxMessage.address == bindparam("claim_chat_address"),
        )
    # Replies, and announcements on channels without a pace; split by priority so that, when
    # every channel is paced, no announcement row is even looked at.
    unpaced = [~_BULK]
    if not all_paced:
        unpaced.append(
            and_(_BULK, OutboxMessage.channel.not_in(bindparam("claim_paces", expanding=True)))
            if paces
            else _BULK
        )
    chosen = [_first(claimable, unpaced, bindparam("claim_limit"))]
    chosen += [
        _first(
            and_(claimable, OutboxMessage.channel == channel),
            [_BULK],
            bindparam(f"claim_budget_{number}"),
        )
        for number, channel in enumerate(paced)
    ]
    return (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(union_all(*chosen).subquery().select()))
        .values(
            status=SENDING,
            claim_token=bindparam("claim_token_value"),
            lease_until=bindparam("claim_lease_until", type_=OutboxMessage.lease_until.type),
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False)
    )


def _first(where: ColumnElement[bool], parts: list[ColumnElement[bool]], limit: Any) -> Select[Any]:
    """The first `limit` rows by priority and id that are due and `where`, among `parts` (of
    one priority range each): the first of each part, and of those the first. Each part as
    either status is read in the order of `ix_outbox_claim` up to the limit, rather than every
    row waiting sorted (which grew with an announcement's 50,000 rows, under the write lock)."""
    firsts = [
        _candidates(and_(where, part, status), limit)
        for part in parts
        for status in _WAITING.clauses
    ]
    union = union_all(*firsts).subquery()
    first = select(union.c.id).order_by(union.c.priority, union.c.id).limit(limit).subquery()
    return select(first.c.id)


def _candidates(where: ColumnElement[bool], limit: Any) -> Select[Any]:
    """Locked and skipping the locked, as a subquery (PostgreSQL has no FOR UPDATE in a UNION)."""
    first = (
        select(OutboxMessage.id, OutboxMessage.priority)
        .where(where)
        .order_by(OutboxMessage.priority, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .subquery()
    )
    return select(first.c.id, first.c.priority)


class Claims:
    def __init__(
        self,
        database: Database,
        channels: Mapping[str, Channel],
        clock: Clock,
        *,
        batch_size: int,
        lease: timedelta,
    ) -> None:
        self.database = database
        self.channels = channels  # the dispatcher's, as channels are added
        self.clock = clock
        self.batch_size = batch_size
        self.lease = lease
        self.held: dict[str, datetime] = {}  # channel -> announcements held until, after a 429
        self.paces: dict[str, Pace] = {}  # channels whose announcements go at a set rate
        self._statements: dict[tuple[Any, ...], Executable] = {}
        self._expire_after = datetime.min.replace(tzinfo=clock.now().tzinfo)

    def hold(self, channel: str, until: datetime) -> None:
        """Flood control: this channel's announcements wait until then; replies go on."""
        self.held[channel] = max(self.held.get(channel, until), until)

    async def claim(
        self, ids: Iterable[int] | None = None, *, chat: tuple[str, str] | None = None
    ) -> list[OutboxMessage]:
        async with self.database.transaction() as session:
            return await self.claim_in(session, ids, chat=chat)

    async def claim_in(
        self,
        session: AsyncSession,
        ids: Iterable[int] | None = None,
        *,
        chat: tuple[str, str] | None = None,
    ) -> list[OutboxMessage]:
        now = self.clock.now()
        held = [channel for channel, until in self.held.items() if until > now]
        # Tokens are taken before the first await, so that claims at the same moment share
        # them; what a claim does not use goes back.
        budgets = {channel: pace.reserve() for channel, pace in self.paces.items()}
        used = dict.fromkeys(budgets, 0)
        paced = tuple(channel for channel, budget in budgets.items() if budget > 0)
        token = str(uuid.uuid4())
        params: dict[str, Any] = {
            "claim_now": now,
            "claim_lease_until": now + self.lease,
            "claim_token_value": token,
            "claim_channels": list(self.channels),
            "claim_limit": self.batch_size,
            **{f"claim_budget_{number}": budgets[channel] for number, channel in enumerate(paced)},
        }
        if held:
            params["claim_held"] = held
        if self.paces:
            params["claim_paces"] = list(self.paces)
        if ids is not None:
            params["claim_ids"] = list(ids)
        if chat is not None:
            params["claim_chat_channel"], params["claim_chat_address"] = chat
        all_paced = bool(self.paces) and set(self.channels) <= set(self.paces)
        shape = (bool(held), bool(self.paces), paced, ids is not None, chat is not None, all_paced)
        try:
            if ids is None and chat is None and now >= self._expire_after:
                self._expire_after = now + EXPIRE_EVERY
                await session.execute(_EXPIRE, {"claim_now": now})
            statement = self._statements.get(shape)
            if statement is None:
                statement = self._statements[shape] = _claim_statement(*shape)
            claimed = sorted(
                (await session.scalars(statement, params)).all(), key=lambda row: row.id
            )
            kept = await self._keep_chat_order(session, claimed, token)
            for row in kept:
                if row.channel in used and row.priority >= ANNOUNCEMENT_PRIORITY:
                    used[row.channel] += 1
            return kept
        finally:
            for channel, budget in budgets.items():
                pace = self.paces[channel]
                pace.give_back(budget - used[channel])
                if budget > 0:
                    pace.hungry = used[channel] == budget

    def bulk_wait(self) -> float | None:
        """Seconds until bulk rows that wait for their pace may be claimed; None if none wait."""
        waits = [pace.wait() for pace in self.paces.values() if pace.hungry]
        return min(waits) if waits else None

    def claimed_by(self, token: str, now: datetime) -> dict[str, Any]:
        """What claiming a row writes: it is on its way, under this token, for one lease."""
        return {
            "status": SENDING,
            "claim_token": token,
            "lease_until": now + self.lease,
            "attempts": OutboxMessage.attempts + 1,
        }

    async def _keep_chat_order(
        self, session: AsyncSession, claimed: list[OutboxMessage], token: str
    ) -> list[OutboxMessage]:
        """Give back the rows of a chat that has an earlier unsent row in another claim (or in
        none): another process is sending that chat, and the earliest claim goes first."""
        if not claimed:
            return claimed
        chats = list({(row.channel, row.address) for row in claimed})
        foreign = await session.execute(_FOREIGN, {"order_chats": chats, "order_token": token})
        first_foreign = {
            (channel, address): (first, first_for_replies)
            for channel, address, first, first_for_replies in foreign
        }

        def in_order(row: OutboxMessage) -> bool:
            first, first_for_replies = first_foreign.get((row.channel, row.address), (None, None))
            before = first_for_replies if row.priority < ANNOUNCEMENT_PRIORITY else first
            return before is None or row.id < before

        kept = [row for row in claimed if in_order(row)]
        returned = [row.id for row in claimed if row not in kept]
        if returned:
            await session.execute(_GIVE_BACK, {"order_returned": returned})
        return kept
