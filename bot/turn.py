"""One inbound message, one transaction: person, duplicate check, state, engine, outbox.

Replies are written to the outbox in the same transaction as the state they belong to, and handed
to the channel right after the commit; if that send fails, the dispatcher retries the rows.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
import weakref
from collections.abc import Callable
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Conversation, User
from bot.db.session import Database
from bot.delivery import Dispatcher, Handover, enqueue
from bot.i18n import Catalogs
from bot.logs import PERSON, who
from bot.monitoring import metrics
from bot.notices import Notices, first_time
from bot.services.people import arrival, users
from bot.services.ports import turn_ports
from bot.settings import Settings
from conversations.engine import Engine
from conversations.flow import Context
from conversations.languages import match_language
from conversations.messages import Inbound, InboundKind, Reply
from conversations.ports import Clock, UserView
from conversations.state import FlowState

log = logging.getLogger(__name__)
MAX_TURN_ATTEMPTS = 3
# The statements of every turn, built once (only their parameters change).
_CONVERSATIONS = cast(Table, Conversation.__table__)
_CONVERSATION = (  # Core: the turn needs the values, not an object that the session tracks
    select(
        _CONVERSATIONS.c.flow,
        _CONVERSATIONS.c.step,
        _CONVERSATIONS.c.data,
        _CONVERSATIONS.c.version,
    )
    .where(_CONVERSATIONS.c.user_id == bindparam("user_id"))
    .with_for_update()
)
_SAVE_STATE = update(_CONVERSATIONS).where(
    _CONVERSATIONS.c.user_id == bindparam("state_user_id"),
    _CONVERSATIONS.c.version == bindparam("state_version"),
)


class StaleConversation(Exception):
    """Another turn saved this person's conversation first; the turn is run again."""


class Turns(Notices):
    def __init__(
        self,
        *,
        database: Database,
        engine: Engine,
        catalogs: Catalogs,
        settings: Settings,
        clock: Clock,
        dispatcher: Dispatcher,
        queueing: Callable[[], None] = lambda: None,
    ) -> None:
        """`queueing`: told when a turn starts an announcement whose rows are queued later."""
        self.database = database
        self.queueing = queueing
        self.engine = engine
        self.catalogs = catalogs
        self.settings = settings
        self.clock = clock
        self.dispatcher = dispatcher
        # In one process, one person's messages are handled one at a time and in order; a lock
        # lives as long as someone holds or waits for it, so the table does not grow for ever.
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    def _lock(self, inbound: Inbound) -> asyncio.Lock:
        key = (inbound.channel, inbound.external_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    async def handle(self, inbound: Inbound) -> list[int]:
        """Handle one inbound message; returns the outbox ids of the replies (sent already)."""
        person = PERSON.set(None)
        try:
            async with self._lock(inbound):
                try:
                    ids, handover = await self._handle_with_retries(inbound)
                except Exception:
                    # The turn's transaction is rolled back, so the conversation stands where
                    # it stood; the person is told instead of being left without an answer.
                    log.exception("turn for %s failed", who(inbound.channel, inbound.external_id))
                    metrics.TURNS.labels("failed").inc()
                    ids = await self._apologize(inbound)
                    await self.dispatcher.send_now(ids)
                    return ids
            metrics.TURNS.labels("handled").inc()
            await self.dispatcher.deliver(handover)
            return ids
        finally:
            PERSON.reset(person)

    async def _handle_with_retries(self, inbound: Inbound) -> tuple[list[int], Handover]:
        for attempt in range(1, MAX_TURN_ATTEMPTS + 1):
            try:
                return await self._handle_once(inbound)
            except (StaleConversation, IntegrityError):
                if attempt == MAX_TURN_ATTEMPTS:
                    raise
                log.info(
                    "turn for %s raced another; again", who(inbound.channel, inbound.external_id)
                )
        raise AssertionError("unreachable")

    async def _apologize(self, inbound: Inbound) -> list[int]:
        try:
            async with self.database.transaction() as session:
                return await self.apology(session, inbound, now=self.clock.now())
        except Exception:  # the database itself is away: nothing more to do than log it
            log.exception("could not apologize for a failed turn")
            return []

    async def _handle_once(self, inbound: Inbound) -> tuple[list[int], Handover]:
        """The turn, and the claim of its replies in the same transaction (one less for each
        turn): they are handed to the channel right after the commit."""
        async with self.database.transaction() as session:
            ids = await self.turn(session, inbound, now=self.clock.now())
            return ids, await self.dispatcher.claim_now(session, ids)

    async def turn(
        self, session: AsyncSession, inbound: Inbound, *, now: datetime, stored: bool = False
    ) -> list[int]:
        """The turn in the caller's transaction; returns the outbox ids of what it queued.
        `stored`: the update is an inbox row claimed in this transaction, which its unique key
        already makes handled once; else its key is recorded here, and a second one dropped."""
        if (
            inbound.update_key
            and not stored
            and not await first_time(session, inbound.update_key, now)
        ):
            log.info(
                "an update from %s was handled before", who(inbound.channel, inbound.external_id)
            )
            return []
        person = await self._person(session, inbound, now)
        if person is None:
            return []
        user, view = person
        if user.unreachable_at is not None:  # they wrote to us; set only then, or every
            user.unreachable_at = None  # statement after would first flush the unchanged row
        PERSON.set(user.id)  # for the log's lines of this turn (the caller resets it)
        conversation = (await session.execute(_CONVERSATION, {"user_id": user.id})).first()
        state = (
            FlowState(
                conversation.flow,
                conversation.step,
                dict(conversation.data),
                conversation.version,
            )
            if conversation
            else FlowState()
        )
        if view is None:  # the person's first message, or a turn that resumes
            view = await users.view(session, user, admins=self.settings.admins)
        ports = turn_ports(
            session,
            user=view,
            inbound=inbound,
            now=now,
            settings=self.settings,
            catalogs=self.catalogs,
            channels=self.dispatcher.channels,
        )
        ctx = Context(
            engine=self.engine, user=view, state=state, ports=ports.ports, inbound=inbound
        )
        await self.engine.handle(ctx)
        await ports.flush()
        if ports.queueing:
            self.queueing()
        if not ctx.user_deleted:
            await _save_state(session, user, state, now, first=conversation is None)
        replies = await self._enqueue(
            session,
            inbound,
            ctx.replies,
            user_id=None if ctx.user_deleted else user.id,
            now=now,
        )
        return replies + ports.queued()

    async def _person(
        self, session: AsyncSession, inbound: Inbound, now: datetime
    ) -> tuple[User, UserView | None] | None:
        """Who wrote, with their view when it came along (a known person, in one statement);
        None when a turn that resumes finds nobody."""
        if inbound.kind is InboundKind.RESUME:
            resumed = await users.find(
                session, channel=inbound.channel, external_id=inbound.external_id
            )
            return None if resumed is None else (resumed, None)
        if inbound.alias is None:
            known = await arrival.arriving(
                session,
                channel=inbound.channel,
                external_id=inbound.external_id,
                now=now,
                admins=self.settings.admins,
            )
            if known is not None:
                return known
        user = await users.find_or_create(
            session,
            channel=inbound.channel,
            external_id=inbound.external_id,
            locale=match_language(inbound.language_code, self.settings.default_locale),
            now=now,
            alias=inbound.alias,
            keep_alias=f"{inbound.channel}:{inbound.alias}" in self.settings.admins,
        )
        await users.seen(session, channel=inbound.channel, external_id=inbound.external_id, now=now)
        return user, None

    async def _enqueue(
        self,
        session: AsyncSession,
        inbound: Inbound,
        replies: list[Reply],
        *,
        user_id: int | None,
        now: datetime,
    ) -> list[int]:
        key = inbound.update_key or f"{inbound.channel}:local:{uuid.uuid4()}"
        ids = []
        for number, reply in enumerate(replies):
            row_id = await enqueue(
                session,
                channel=inbound.channel,
                address=inbound.external_id,
                reply=reply,
                dedup_key=f"reply:{key}:{number}",
                now=now,
                user_id=user_id,
            )
            if row_id is not None:
                ids.append(row_id)
        return ids


async def _save_state(
    session: AsyncSession,
    user: User,
    state: FlowState,
    now: datetime,
    *,
    first: bool,
) -> None:
    """`first`: the person has no conversation row yet."""
    if first:
        session.add(
            Conversation(
                user_id=user.id,
                flow=state.flow,
                step=state.step,
                data=state.data,
                version=1,
                updated_at=now,
            )
        )
        await session.flush()
        return
    result = await session.execute(
        _SAVE_STATE,
        {
            "state_user_id": user.id,
            "state_version": state.version,
            "flow": state.flow,
            "step": state.step,
            "data": state.data,
            "version": state.version + 1,
            "updated_at": now,
        },
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleConversation(user.id)
