"""The statements of a claim (`bot/delivery/claims.py`), built once per shape: which rows are
due and claimable, read in the order of the outbox's indexes so that a claim stays short however
many rows of an announcement wait."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    Select,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    or_,
    select,
    union_all,
    update,
)

from bot.delivery.outbox import ANNOUNCEMENT_PRIORITY, CLAIMED, EXPIRED, OUTBOX, PENDING, SENDING

_NOW = bindparam("claim_now", type_=OUTBOX.c.next_attempt_at.type)
_WAITING = or_(
    and_(OUTBOX.c.status == PENDING, OUTBOX.c.next_attempt_at <= _NOW),
    and_(OUTBOX.c.status == SENDING, OUTBOX.c.lease_until <= _NOW),
)
_IN_TIME = or_(OUTBOX.c.expires_at.is_(None), OUTBOX.c.expires_at > _NOW)
# The status as an expression no index has: where another index finds the few rows meant, SQLite
# (which has no statistics) would otherwise read every row waiting by the status's indexes
# (at 50,000 rows of an announcement 20-40 ms, under the write lock).
_STATUS = OUTBOX.c.status.concat("")
EXPIRE = (
    update(OUTBOX)
    # By ix_outbox_expires: the few rows with an expiry.
    .where(
        OUTBOX.c.expires_at.is_not(None),
        OUTBOX.c.expires_at <= _NOW,
        or_(
            and_(_STATUS == PENDING, OUTBOX.c.next_attempt_at <= _NOW),
            and_(_STATUS == SENDING, OUTBOX.c.lease_until <= _NOW),
        ),
    )
    .values(status=EXPIRED, claim_token=None, lease_until=None)
)
_BULK = OUTBOX.c.priority >= ANNOUNCEMENT_PRIORITY


# Per chat among those given, the first row unsent and not in this claim, and the first such row
# that is not an announcement merely waiting (a reply may overtake those).
def _foreign(chats: ColumnElement[bool]) -> Select[Any]:
    return (
        select(
            OUTBOX.c.channel,
            OUTBOX.c.address,
            func.min(OUTBOX.c.id),
            func.min(case((and_(OUTBOX.c.status == PENDING, _BULK), None), else_=OUTBOX.c.id)),
        )
        .where(
            chats,
            _STATUS.in_([PENDING, SENDING]),
            or_(
                OUTBOX.c.claim_token.is_(None),
                OUTBOX.c.claim_token != bindparam("order_token"),
            ),
        )
        .group_by(OUTBOX.c.channel, OUTBOX.c.address)
    )


FOREIGN = _foreign(
    # Every pair of the channels and addresses given, a few more chats than asked for at most
    # (only those asked for are looked up), found by ix_outbox_recipient: SQLite reads a pair
    # IN (VALUES …) by scanning the whole index (12-18 ms at 50,000 rows).
    and_(
        OUTBOX.c.channel.in_(bindparam("order_channels", expanding=True)),
        OUTBOX.c.address.in_(bindparam("order_addresses", expanding=True)),
    )
)
# The one chat of a turn's replies: a list's parameter is spliced into the statement's text at
# each execution, which cost as much as the statement itself.
FOREIGN_ONE = _foreign(
    and_(
        OUTBOX.c.channel == bindparam("order_channel"),
        OUTBOX.c.address == bindparam("order_address"),
    )
)
GIVE_BACK = (
    update(OUTBOX)
    .where(OUTBOX.c.id.in_(bindparam("order_returned", expanding=True)))
    .values(status=PENDING, claim_token=None, lease_until=None, attempts=OUTBOX.c.attempts - 1)
)


def claim_statement(
    channels: tuple[str, ...],
    held: tuple[str, ...],
    paces: tuple[str, ...],
    paced: tuple[str, ...],
    ids: str,
    chat: bool,
) -> Executable:
    """The claim of one shape: the channels, those held and those paced (`paced`: with a
    budget now), and whether it takes given rows (`ids`: "", "one" or "several") or one chat's.
    Everything else is a parameter. The channels are in the statement's text: lists as
    parameters are spliced into it at each execution, which cost as much as the claim."""
    all_paced = bool(paces) and set(channels) <= set(paces)
    earlier = OUTBOX.alias("earlier")
    # Per chat, in order: nothing may overtake an earlier row that is in flight or waiting.
    blocked = exists().where(
        earlier.c.channel == OUTBOX.c.channel,
        earlier.c.address == OUTBOX.c.address,
        earlier.c.id < OUTBOX.c.id,
        or_(
            and_(earlier.c.status == SENDING, earlier.c.lease_until > _NOW),
            and_(earlier.c.status == PENDING, earlier.c.next_attempt_at > _NOW),
        ),
    )
    claimable: ColumnElement[bool] = and_(
        _IN_TIME,
        ~blocked,
        _one_of(OUTBOX.c.channel, channels),
    )
    if held:
        claimable = and_(claimable, or_(~_one_of(OUTBOX.c.channel, held), ~_BULK))
    if ids == "one":
        claimable = and_(claimable, OUTBOX.c.id == bindparam("claim_id"))
    elif ids:
        claimable = and_(claimable, OUTBOX.c.id.in_(bindparam("claim_ids", expanding=True)))
    if chat:
        claimable = and_(
            claimable,
            OUTBOX.c.channel == bindparam("claim_chat_channel"),
            OUTBOX.c.address == bindparam("claim_chat_address"),
        )
    # Replies, and announcements on channels without a pace; split by priority so that, when
    # every channel is paced, no announcement row is even looked at.
    unpaced = [~_BULK]
    if not all_paced:
        unpaced.append(and_(_BULK, ~_one_of(OUTBOX.c.channel, paces)) if paces else _BULK)
    chosen = [_first(claimable, unpaced, bindparam("claim_limit"))]
    chosen += [
        _first(
            and_(claimable, OUTBOX.c.channel == channel),
            [_BULK],
            bindparam(f"claim_budget_{number}"),
        )
        for number, channel in enumerate(paced)
    ]
    return (
        update(OUTBOX)
        .where(OUTBOX.c.id.in_(union_all(*chosen).subquery().select()))
        .values(
            status=SENDING,
            claim_token=bindparam("claim_token_value"),
            lease_until=bindparam("claim_lease_until", type_=OUTBOX.c.lease_until.type),
            attempts=OUTBOX.c.attempts + 1,
        )
        .returning(*CLAIMED)
    )


def _one_of(column: ColumnElement[str], values: tuple[str, ...]) -> ColumnElement[bool]:
    return or_(*(column == value for value in values)) if values else false()


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
        select(OUTBOX.c.id, OUTBOX.c.priority)
        .where(where)
        .order_by(OUTBOX.c.priority, OUTBOX.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .subquery()
    )
    return select(first.c.id, first.c.priority)
