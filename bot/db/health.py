"""Whether the database answers: outages are told apart from bugs, logged once when they begin
and once when they end, and waited out with growing pauses."""

from __future__ import annotations

import logging
import time

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger(__name__)

FIRST_PAUSE = 0.5  # seconds
LONGEST_PAUSE = 10.0


def is_outage(error: BaseException) -> bool:
    """An error that says the database is away, full or read-only, not that a statement or the
    code is wrong: the work is kept and tried again once the database answers."""
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)
    return isinstance(error, PoolTimeout | OSError | TimeoutError)


def describe(error: BaseException) -> str:
    """One line on what went wrong, without the statement or its parameters (personal data)."""
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()[0] if str(original).strip() else ""
    return f"{type(original).__name__}: {text}"[:300] if text else type(original).__name__


class DatabaseHealth:
    """Shared by everything that writes: the first failure logs one line, the first success after
    it another; in between, `failed` hands out growing pauses."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.down_since: float | None = None
        self._failures = 0

    @property
    def is_down(self) -> bool:
        return self.down_since is not None

    def failed(self, error: BaseException) -> float:
        """Record that the database did not answer; returns how long to wait before trying again."""
        if self.down_since is None:
            self.down_since = time.monotonic()
            log.error(
                "The database at DATABASE_URL=%s does not answer (%s). Nothing received is "
                "confirmed or dropped meanwhile; trying again with growing pauses.",
                self.url,
                describe(error),
            )
        pause: float = min(FIRST_PAUSE * 2.0**self._failures, LONGEST_PAUSE)
        self._failures += 1
        return pause

    def ok(self) -> None:
        if self.down_since is not None:
            log.warning(
                "The database is back after %.0f s; answering the messages that waited.",
                time.monotonic() - self.down_since,
            )
        self.down_since = None
        self._failures = 0
