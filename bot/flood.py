"""One person's flood contained: a token bucket per chat, kept in memory where messages arrive.

Within the limit a message goes to the inbox. The first message beyond it brings one polite note
and opens a quiet window: what the person sends in it is confirmed to the channel and dropped,
without a database write, so a flood costs the others neither workers nor disk.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


class Verdict(Enum):
    ACCEPT = "accept"  # into the inbox
    NOTE = "note"  # dropped; the person is told once, now
    DROP = "drop"  # dropped; told already in this window


@dataclass
class _Bucket:
    tokens: float
    updated: float
    quiet_until: float = 0.0


class FloodGuard:
    """`per_minute` messages a minute on average, `burst` at once; beyond that, `window` seconds
    of quiet (the note says "in a minute")."""

    def __init__(
        self,
        *,
        per_minute: int,
        burst: int,
        window: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.window = window
        self.monotonic = monotonic
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._checks = 0

    def check(self, channel: str, chat: str) -> Verdict:
        now = self.monotonic()
        self._checks += 1
        if self._checks % 1000 == 0:
            self._forget_idle(now)
        bucket = self._buckets.get((channel, chat))
        if bucket is None:
            bucket = self._buckets[(channel, chat)] = _Bucket(self.burst, now)
        if now < bucket.quiet_until:
            return Verdict.DROP
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict.ACCEPT
        bucket.quiet_until = now + self.window
        return Verdict.NOTE

    def _forget_idle(self, now: float) -> None:
        """Full buckets out of their window hold nothing worth keeping."""
        full_after = self.burst / self.rate if self.rate else float("inf")
        for key, bucket in list(self._buckets.items()):
            if now >= bucket.quiet_until and now - bucket.updated >= full_after:
                del self._buckets[key]
