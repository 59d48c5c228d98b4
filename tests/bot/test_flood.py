"""The flood limit: a burst passes, then one note, then quiet for the window, then normal again."""

from __future__ import annotations

from bot.app import App
from bot.channels.base import FLOOD, PRIVATE, InboxEntry
from bot.flood import FloodGuard, Verdict
from conversations.messages import Inbound, InboundKind


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_one_note_then_quiet_for_the_window() -> None:
    ticks = Ticks()
    guard = FloodGuard(per_minute=20, burst=10, window=60, monotonic=ticks)
    verdicts = [guard.check("telegram", "1") for _ in range(500)]
    assert verdicts[:10] == [Verdict.ACCEPT] * 10
    assert verdicts[10] is Verdict.NOTE
    assert set(verdicts[11:]) == {Verdict.DROP}
    assert guard.check("telegram", "2") is Verdict.ACCEPT  # someone else is not affected
    ticks.now += 59
    assert guard.check("telegram", "1") is Verdict.DROP
    ticks.now += 1  # the window is over and the bucket has filled up meanwhile
    assert [guard.check("telegram", "1") for _ in range(11)] == [Verdict.ACCEPT] * 10 + [
        Verdict.NOTE
    ]


def test_the_average_rate_is_kept_without_a_note() -> None:
    ticks = Ticks()
    guard = FloodGuard(per_minute=20, burst=10, window=60, monotonic=ticks)
    for _ in range(200):  # one message every three seconds, for ten minutes
        assert guard.check("telegram", "1") is Verdict.ACCEPT
        ticks.now += 3


def test_idle_buckets_are_forgotten() -> None:
    ticks = Ticks()
    guard = FloodGuard(per_minute=20, burst=10, monotonic=ticks)
    for person in range(999):
        guard.check("telegram", str(person))
    ticks.now += 3600
    guard.check("telegram", "last")  # the 1,000th check sweeps
    assert len(guard._buckets) == 1


def test_the_inbox_admits_the_allowed_messages_and_one_note_in_order(app: App) -> None:
    app.inbox.flood = FloodGuard(per_minute=20, burst=3, monotonic=Ticks())
    entries = [
        InboxEntry(Inbound("telegram", "1", InboundKind.TEXT, f"telegram:{n}", text=str(n)))
        for n in range(8)
    ]
    admitted = app.inbox.admit(entries)
    assert [entry.route for entry in admitted] == [PRIVATE] * 3 + [FLOOD]
    assert [entry.inbound.text for entry in admitted[:3]] == ["0", "1", "2"]
    assert admitted[3].inbound.update_key.startswith("flood:telegram:1:")  # type: ignore[union-attr]
