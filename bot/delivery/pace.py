"""How fast a channel may send: announcements and reminders at a set rate, and where the
messenger limits everything a bot sends (Telegram, per bot token), only what replies leave."""

from __future__ import annotations

import time

BULK_BATCH_SECONDS = 0.25  # bulk rows claimed at once: a quarter second's worth


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


class Pace:
    """Bulk rows (announcements, reminders) take whole tokens when they are claimed: at most
    `per_second` × (1 − `reply_share`) on average, a small batch at once. With a `reply_share`,
    replies count against the same allowance (`spend`) and are never held back by it: bulk rows
    take only what replies leave, and always leave the share free for them. `per_chat_per_second`
    spaces bulk rows to a chat that was just written to."""

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
        self.bulk = Bucket(bulk_rate, batch)
        self.overall = (
            Bucket(per_second, max(batch, per_second)) if reply_share is not None else None
        )
        self.chat_gap = 1 / per_chat_per_second if per_chat_per_second else 0.0
        self.hungry = False  # the last claim took every token: more bulk rows are waiting

    @classmethod
    def per_minute(cls, count: int) -> Pace:
        return cls(count / 60, burst=1 + count // 10)

    def _buckets(self) -> list[Bucket]:
        return [self.bulk] if self.overall is None else [self.bulk, self.overall]

    def reserve(self) -> int:
        """Take every whole token there is now; give back what is not used."""
        reserved = max(0, min(int(bucket.refill()) for bucket in self._buckets()))
        for bucket in self._buckets():
            bucket.tokens -= reserved
        return reserved

    def give_back(self, count: int) -> None:
        for bucket in self._buckets():
            bucket.tokens += count

    def spend(self, count: int = 1) -> None:
        """Replies sent: bulk rows wait until what they took beyond their share is made up."""
        if self.overall is not None:
            self.overall.refill()
            self.overall.tokens -= count

    def wait(self) -> float:
        """Seconds until a bulk row may be claimed again."""
        return max(bucket.wait() for bucket in self._buckets())
