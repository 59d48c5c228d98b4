"""Waiting in a channel's receive loop without outliving the bot: a call abandoned when it stops,
a pause cut short by it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def unless_stopped(call: Awaitable[T], stop: asyncio.Event) -> T | None:
    """The call's result (or its error), or None when `stop` is set first: the call is then
    abandoned."""
    task = asyncio.ensure_future(call)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        return None
    return task.result()


async def stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    """Pause for `seconds`, or less when the bot stops; True when it did."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    return stop.is_set()
