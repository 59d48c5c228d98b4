"""How fast a channel may send: announcements and reminders at a set rate, and where the
messenger limits everything a bot sends (Telegram, per bot token), only what replies leave.

Telegram counts the messages of the last second, so the allowance is a sliding window: a token
bucket alone lets a full bucket plus a second's refill through in one second, and Telegram
answers that with flood control (a second lost). Replies take any free place in the window and
are never held back by announcements; announcements take what replies leave, and always leave
the replies' share free."""

from __future__ import annotations

import asyncio
import math
import time

BULK_BATCH_SECONDS = 0.25  # bulk rows claimed at once: a quarter second's worth
_POLL = 0.005  # seconds: how soon to look again for a place that depends on a request


class Bucket:
    """A token bucket: `rate` tokens a second, at most `capacity` saved up."""

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = float(capacity)
        self.at = time.monotonic()

    def refill(self) -> float:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        return self.tokens

    def wait(self) -> float:
        """Seconds until one whole token is there."""
        return max(0.0, (1 - self.refill()) / self.rate) if self.rate > 0 else float("inf")


class Place:
    """A message's place in the window: from when it was answered (in flight: not yet)."""

    __slots__ = ("at", "reply")

    def __init__(self, reply: bool) -> None:
        self.at = math.inf
        self.reply = reply

    def done(self) -> None:
        self.at = time.monotonic()


class Window:
    """The messages of the last `period` seconds (at most `limit`), replies among them;
    `reserved` places are kept for replies, at least one while there is a share.

    A message counts from the moment its request was answered, and while in flight: it reached
    the server at some time before that, so a second measured here is never shorter than the
    one the server measures, however long requests take."""

    def __init__(self, per_second: float, reply_share: float) -> None:
        self.limit = max(1, round(per_second))
        self.period = self.limit / per_second
        self.reserved = round(self.limit * reply_share)
        self._places: list[Place] = []  # at most `limit` and those in flight
        self._replies = 0
        self.replies_waiting = 0

    def _forget(self, now: float) -> None:
        """Drop the places answered more than a period ago (one in flight, a long upload say,
        holds nothing else up)."""
        if any(place.at <= now - self.period for place in self._places):
            self._places = [place for place in self._places if place.at > now - self.period]
            self._replies = sum(place.reply for place in self._places)

    def room(self, now: float, *, reply: bool) -> int:
        """Places free now for a reply, or for a bulk row (which leaves the replies' share)."""
        self._forget(now)
        free = self.limit - len(self._places)
        if reply:
            return free
        # Bulk leaves the replies' share free, and one place more while replies use all of it:
        # a reply then never waits for bulk rows to leave the window.
        return free - max(min(1, self.reserved), self.reserved - self._replies)

    def add(self, *, reply: bool) -> Place:
        place = Place(reply)
        self._places.append(place)
        self._replies += reply
        return place

    def wait(self, now: float, *, reply: bool) -> float:
        """Seconds until there may be room (0: there is)."""
        if self.room(now, reply=reply) > 0:
            return 0.0
        oldest = min((place.at for place in self._places), default=now)
        return _POLL if oldest == math.inf else oldest + self.period - now

    async def take(self, *, reply: bool) -> Place:
        """A place for one message: a reply as soon as there is one, a bulk row once no reply
        waits for it. `done()` it when the request was answered."""
        self.replies_waiting += reply
        try:
            while True:
                now = time.monotonic()
                if not reply and self.replies_waiting:
                    await asyncio.sleep(_POLL)
                    continue
                wait = self.wait(now, reply=reply)
                if wait <= 0:
                    return self.add(reply=reply)
                await asyncio.sleep(wait)
        finally:
            self.replies_waiting -= reply


class Pace:
    """Bulk rows (announcements, reminders) take whole tokens when they are claimed: at most
    `per_second` × (1 − `reply_share`) on average, a small batch at once. With a `reply_share`,
    everything the channel sends also passes a sliding window of `per_second` (`take`): replies
    go first, bulk rows take only what replies leave and always leave the share free for them.
    `per_chat_per_second` spaces bulk rows to a chat that was just written to."""

    def __init__(
        self,
        per_second: float,
        *,
        burst: int | None = None,
        reply_share: float | None = None,
        per_chat_per_second: float | None = None,
    ) -> None:
        bulk_rate = per_second * (1 - (reply_share or 0.0))
        batch = burst if burst is not None else max(1, round(bulk_rate * BULK_BATCH_SECONDS))
        self.window = Window(per_second, reply_share) if reply_share is not None else None
        # Under a window, the window holds the limit and the share (tokens only spread a claim
        # over its batches); half a second's rows wait for their places, so that the window
        # stays full while the next claim is made.
        if self.window is None:
            self.bulk = Bucket(bulk_rate, batch)
        else:
            self.bulk = Bucket(per_second, 3 * batch)
        self.prefetch = 2 * batch
        self.chat_gap = 1 / per_chat_per_second if per_chat_per_second else 0.0
        self.hungry = False  # the last claim took every token: more bulk rows are waiting

    @classmethod
    def per_minute(cls, count: int) -> Pace:
        return cls(count / 60, burst=1 + count // 10)

    def reserve(self) -> int:
        """Take every whole token there is now, as far as the window has room for bulk rows
        (and `prefetch` more, to wait for it); give back what is not used."""
        reserved = max(0, int(self.bulk.refill()))
        if self.window is not None:
            # More than there is room for now wait for their place in `take`, so that a place
            # is used as soon as it is free, not a claim later.
            room = self.window.room(time.monotonic(), reply=False) + self.prefetch
            reserved = min(reserved, max(0, room))
        self.bulk.tokens -= reserved
        return reserved

    def give_back(self, count: int) -> None:
        self.bulk.tokens += count

    async def take(self, *, reply: bool) -> Place | None:
        """Right before a message goes out: wait for its place in the window, if there is one;
        the caller `done()`s it once the request was answered."""
        return None if self.window is None else await self.window.take(reply=reply)

    def wait(self) -> float:
        """Seconds until a bulk row may be claimed again."""
        wait = self.bulk.wait()
        if self.window is not None:
            wait = max(wait, self.window.wait(time.monotonic(), reply=False))
        return wait
