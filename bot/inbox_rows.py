"""The inbox's rows: their statuses, the pace at which a person's backlog is taken, and the
statements of storing, claiming and finishing them, built once (`bot/inbox.py` uses them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, exists, func, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.db.models import InboxMessage

PENDING, DONE, FAILED = "pending", "done", "failed"
UNPACED = 2  # messages of one person waiting at once that are taken as fast as they come
PACE = timedelta(milliseconds=50)  # and then one every so often


def paced(position: int) -> timedelta:
    """A person's backlog is taken at a measured pace beyond the first few messages, so that a
    burst (an album of photos, or a flood within the limit) leaves room for everyone else."""
    return PACE * max(0, position - UNPACED)


def retry_pause(attempts: int) -> timedelta:
    return timedelta(seconds=min(0.5 * 2 ** (attempts - 1), 30))


INBOX = cast(Table, InboxMessage.__table__)
EARLIER = INBOX.alias("earlier")
# Statements built once. The next row a worker may take, with how many rows wait in all (itself
# among them):
CLAIM = (
    select(
        INBOX.c.id,
        INBOX.c.channel,
        INBOX.c.chat,
        INBOX.c.route,
        INBOX.c.update_key,
        INBOX.c.attempts,
        INBOX.c.payload,
        select(func.count()).where(EARLIER.c.status == PENDING).scalar_subquery(),
    )
    .where(
        INBOX.c.status == PENDING,
        INBOX.c.next_attempt_at <= bindparam("now"),
        ~exists().where(
            EARLIER.c.channel == INBOX.c.channel,
            EARLIER.c.chat == INBOX.c.chat,
            EARLIER.c.status == PENDING,
            EARLIER.c.id < INBOX.c.id,
        ),
    )
    .order_by(INBOX.c.position, INBOX.c.id)
    .limit(1)
    .with_for_update(skip_locked=True, of=INBOX)
)
WAITING = (  # each chat's rows waiting
    select(INBOX.c.channel, INBOX.c.chat, func.count())
    .where(
        INBOX.c.status == PENDING,
        tuple_(INBOX.c.channel, INBOX.c.chat).in_(bindparam("chats", expanding=True)),
    )
    .group_by(INBOX.c.channel, INBOX.c.chat)
)
# The same for the one chat of most stores: a list's parameter is spliced into the statement's
# text at each execution, which cost as much as the statement itself.
WAITING_ONE = (
    select(INBOX.c.channel, INBOX.c.chat, func.count())
    .where(
        INBOX.c.status == PENDING,
        INBOX.c.channel == bindparam("channel"),
        INBOX.c.chat == bindparam("chat"),
    )
    .group_by(INBOX.c.channel, INBOX.c.chat)
)
STORE = {  # each row once, however often its update comes; the keys of the rows it added
    "postgresql": postgresql.insert(INBOX)
    .on_conflict_do_nothing(index_elements=["update_key"])
    .returning(INBOX.c.update_key),
    "sqlite": sqlite.insert(INBOX)
    .on_conflict_do_nothing(index_elements=["update_key"])
    .returning(INBOX.c.update_key),
}
# One row of a message answered as it is stored (`Inbox._answer_at_once`, SQLite only): its id,
# none when it was stored before.
STORE_ONE = (
    sqlite.insert(INBOX).on_conflict_do_nothing(index_elements=["update_key"]).returning(INBOX.c.id)
)
# Whether that chat has a row waiting, or anyone a row that is due.
ANY_WAITING = select(
    exists().where(
        INBOX.c.status == PENDING,
        or_(
            and_(INBOX.c.channel == bindparam("channel"), INBOX.c.chat == bindparam("chat")),
            INBOX.c.next_attempt_at <= bindparam("now"),
        ),
    )
)
NEXT_DUE = select(func.min(INBOX.c.next_attempt_at)).where(
    INBOX.c.status == PENDING, INBOX.c.next_attempt_at > bindparam("now")
)
MARK_DONE = (
    update(INBOX)
    .where(INBOX.c.id == bindparam("row_id"))
    .values(
        status=DONE,
        done_at=bindparam("done_at", type_=INBOX.c.done_at.type),
        payload=None,
        attempts=bindparam("row_attempts"),
        last_error=None,
    )
)


@dataclass(frozen=True)
class ClaimedRow:
    id: int
    channel: str
    chat: str
    route: str
    update_key: str
    attempts: int
    payload: dict[str, Any] | None
    waiting: int  # rows waiting when it was claimed, itself among them
