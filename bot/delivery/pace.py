"""How fast announcements may go on a channel."""

from __future__ import annotations

import time


class Pace:
    """A token bucket: at most `per_minute` messages a minute, a few at once."""

    def __init__(self, per_minute: int) -> None:
        self.rate = per_minute / 60
        self.capacity = 1 + per_minute // 10
        self.tokens = float(self.capacity)
        self.at = time.monotonic()

    def reserve(self) -> int:
        """Take every whole token there is now; give back what is not used."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        reserved = int(self.tokens)
        self.tokens -= reserved
        return reserved

    def give_back(self, count: int) -> None:
        self.tokens += count
