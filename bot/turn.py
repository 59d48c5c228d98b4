"""One inbound message, one transaction: person, duplicate check, state, engine, outbox.

Replies are written to the outbox in the same transaction as the state they belong to, and handed
to the channel right after the commit; if that send fails, the dispatcher retries the rows.
"""

from __future__ import annotations

import asyncio
import html
import logging
import uuid
import weakref
from collections.abc import Callable
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Conversation, OutboxMessage, ProcessedUpdate, User
from bot.db.session import Database
from bot.delivery import Dispatcher, enqueue
from bot.i18n import Catalogs
from bot.logs import PERSON, who
from bot.monitoring import metrics
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
_PROCESSED = cast(Table, ProcessedUpdate.__table__)
_RECORD_KEY = {
    "postgresql": postgresql.insert(_PROCESSED).on_conflict_do_nothing(index_elements=["key"]),
    "sqlite": sqlite.insert(_PROCESSED).on_conflict_do_nothing(index_elements=["key"]),
}
_CONVERSATION = (
    select(Conversation)
    .where(Conversation.user_id == bindparam("user_id"))
    .with_for_update()
    .execution_options(populate_existing=True)
)
_CONVERSATIONS = cast(Table, Conversation.__table__)
_SAVE_STATE = update(_CONVERSATIONS).where(
    _CONVERSATIONS.c.user_id == bindparam("state_user_id"),
    _CONVERSATIONS.c.version == bindparam("state_version"),
)


class StaleConversation(Exception):
    """Another turn saved this person's conversation first; the turn is run again."""


class Turns:
    def __init__(
        self,
        *,
        database: Database,
        engine: Engine,
        catalogs: Catalogs,
        settings: Settings,
        clock: Clock,
        dispatcher: Dispatcher,
    ) -> None:
        self.database = database
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
                    ids, claimed = await self._handle_with_retries(inbound)
                except Exception:
                    # The turn's transaction is rolled back, so the conversation stands where
                    # it stood; the person is told instead of being left without an answer.
                    log.exception("turn for %s failed", who(inbound.channel, inbound.external_id))
                    metrics.TURNS.labels("failed").inc()
                    ids = await self._apologize(inbound)
                    await self.dispatcher.send_now(ids)
                    return ids
            metrics.TURNS.labels("handled").inc()
            await self.dispatcher.deliver(claimed)
            return ids
        finally:
            PERSON.reset(person)

    async def _handle_with_retries(self, inbound: Inbound) -> tuple[list[int], list[OutboxMessage]]:
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

    async def apology(self, session: AsyncSession, inbound: Inbound, *, now: datetime) -> list[int]:
        """Tell the person that their message failed, in their language."""
        return await self._notice(
            session,
            inbound,
            lambda _: _(
                "Sorry, something went wrong on my side. Please try again; "
                "your earlier answers are kept."
            ),
            key=f"apology:{inbound.update_key or uuid.uuid4()}",
            now=now,
        )

    async def flood_note(
        self, session: AsyncSession, inbound: Inbound, *, now: datetime
    ) -> list[int]:
        """The one note to someone who writes faster than the bot reads."""
        return await self._notice(
            session,
            inbound,
            lambda _: _(
                "You are writing faster than I can read. I will answer again in a minute; "
                "please send your last message again then."
            ),
            key=f"reply:{inbound.update_key}:0",
            now=now,
        )

    async def _notice(
        self,
        session: AsyncSession,
        inbound: Inbound,
        text: Callable[[Callable[[str], str]], str],
        *,
        key: str,
        now: datetime,
    ) -> list[int]:
        """A message about the person's message rather than an answer to it, in their language
        (their app's, if they are not known yet)."""
        user = await users.find(session, channel=inbound.channel, external_id=inbound.external_id)
        locale = (
            user.locale
            if user
            else match_language(inbound.language_code, self.settings.default_locale)
        )
        row = await enqueue(
            session,
            channel=inbound.channel,
            address=inbound.external_id,
            reply=Reply(text(self.catalogs.translator(locale).gettext)),
            dedup_key=key,
            now=now,
            user_id=user.id if user else None,
        )
        return [row] if row is not None else []

    async def _handle_once(self, inbound: Inbound) -> tuple[list[int], list[OutboxMessage]]:
        """The turn, and the claim of its replies in the same transaction (one less for each
        turn): they are handed to the channel right after the commit."""
        async with self.database.transaction() as session:
            ids = await self.turn(session, inbound, now=self.clock.now())
            return ids, await self.dispatcher.claim_now(session, ids)

    async def turn(self, session: AsyncSession, inbound: Inbound, *, now: datetime) -> list[int]:
        """The turn in the caller's transaction; returns the outbox ids of what it queued."""
        if inbound.update_key and not await _first_time(session, inbound.update_key, now):
            log.info(
                "an update from %s was handled before", who(inbound.channel, inbound.external_id)
            )
            return []
        view: UserView | None = None
        known = None
        if inbound.kind is not InboundKind.RESUME and inbound.alias is None:
            known = await arrival.arriving(
                session,
                channel=inbound.channel,
                external_id=inbound.external_id,
                now=now,
                admins=self.settings.admins,
            )
        if known is not None:
            user, view = known
        elif inbound.kind is InboundKind.RESUME:
            resumed = await users.find(
                session, channel=inbound.channel, external_id=inbound.external_id
            )
            if resumed is None:
                return []
            user = resumed
        else:
            locale = match_language(inbound.language_code, self.settings.default_locale)
            user = await users.find_or_create(
                session,
                channel=inbound.channel,
                external_id=inbound.external_id,
                locale=locale,
                now=now,
                alias=inbound.alias,
                keep_alias=f"{inbound.channel}:{inbound.alias}" in self.settings.admins,
            )
            await users.seen(
                session, channel=inbound.channel, external_id=inbound.external_id, now=now
            )
        user.unreachable_at = None  # they wrote to us
        PERSON.set(user.id)  # for the log's lines of this turn (the caller resets it)
        conversation = await session.scalar(_CONVERSATION, {"user_id": user.id})
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
        if view is None:
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
        if not ctx.user_deleted:
            await _save_state(session, user, conversation, state, now)
        replies = await self._enqueue(
            session,
            inbound,
            ctx.replies,
            user_id=None if ctx.user_deleted else user.id,
            now=now,
        )
        return replies + ports.queued()

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

    async def answer_group(
        self,
        session: AsyncSession,
        inbound: Inbound,
        *,
        bot_username: str,
        bot_link: str | None = None,
        now: datetime,
    ) -> list[int]:
        """A command in a group chat: point to the private chat, where conversations happen."""
        locale = match_language(inbound.language_code, self.settings.default_locale)
        _ = self.catalogs.translator(locale).gettext
        if bot_link is None:  # Telegram's
            bot_link, bot_username = f"https://t.me/{bot_username}", f"@{bot_username}"
        text = _("I work in private chats only. Please write to me directly: {link}").format(
            link=f'<a href="{html.escape(bot_link)}">{html.escape(bot_username)}</a>'
        )
        if inbound.update_key and not await _first_time(session, inbound.update_key, now):
            return []
        row_id = await enqueue(
            session,
            channel=inbound.channel,
            address=inbound.external_id,
            reply=Reply(text=text),
            dedup_key=f"reply:{inbound.update_key}:0",
            now=now,
        )
        return [row_id] if row_id else []


async def _first_time(session: AsyncSession, key: str, now: datetime) -> bool:
    """Record the update key; False if it was recorded before (a redelivered update)."""
    dialect = session.get_bind().dialect.name
    result = await session.execute(_RECORD_KEY[dialect], {"key": key, "processed_at": now})
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def _save_state(
    session: AsyncSession,
    user: User,
    conversation: Conversation | None,
    state: FlowState,
    now: datetime,
) -> None:
    if conversation is None:
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
