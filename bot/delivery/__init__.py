"""The outbox and its dispatcher: rows first (`outbox`), claimed in order and paced (`claims`,
`pace`), sent (`dispatcher`), and what became of each recorded (`outcomes`)."""

from bot.delivery.dispatcher import Dispatcher, Handover
from bot.delivery.outbox import (
    ANNOUNCEMENT_PRIORITY,
    CANCELLED,
    EXPIRED,
    FAILED,
    MAX_ATTEMPTS,
    MAX_BACKOFF,
    PENDING,
    SENDING,
    SENT,
    UNREACHABLE,
    Claimed,
    Message,
    backoff,
    cancel_unsent,
    enqueue,
    enqueue_many,
)
from bot.delivery.pace import Pace

__all__ = [
    "ANNOUNCEMENT_PRIORITY",
    "CANCELLED",
    "EXPIRED",
    "FAILED",
    "MAX_ATTEMPTS",
    "MAX_BACKOFF",
    "PENDING",
    "SENDING",
    "SENT",
    "UNREACHABLE",
    "Claimed",
    "Dispatcher",
    "Handover",
    "Message",
    "Pace",
    "backoff",
    "cancel_unsent",
    "enqueue",
    "enqueue_many",
]
