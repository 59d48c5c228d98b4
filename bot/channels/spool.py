"""Messages received that the database could not take yet, in the order they came, in a file:
kept across a restart (even `kill -9`) until the inbox holds them. For a source that hands a
message over once and forgets it (the signal-cli daemon), unlike Telegram, which sends again what
was not confirmed."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from bot.channels.base import InboxEntry

log = logging.getLogger(__name__)


class Spool:
    def __init__(self, path: Path) -> None:
        self.path = path
        # Raw messages in order, each with its inbox entries once the flood limit admitted it
        # (None: not yet, e.g. after a restart).
        self.waiting: list[tuple[str, list[InboxEntry] | None]] = []
        self._failing = False

    def __len__(self) -> int:
        return len(self.waiting)

    def load(self) -> None:
        """What a previous run kept, before anything new."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return
        except OSError as error:
            log.error("cannot read %s: %s", self.path, error)
            return
        kept = []
        for line in lines:
            try:
                data = json.loads(line)
            except ValueError:
                continue  # a line cut short by a crash while it was written
            if isinstance(data, str):
                kept.append((data, None))
        if kept:
            log.info("%s message(s) kept in %s are stored first", len(kept), self.path)
        self.waiting = kept + self.waiting

    def keep(self, data: str, entries: list[InboxEntry] | None) -> None:
        """Add a message at the end, on disk before this returns."""
        self.waiting.append((data, entries))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as file:
                file.write(json.dumps(data) + "\n")
                file.flush()
                os.fsync(file.fileno())
        except OSError as error:
            if not self._failing:
                log.error("cannot keep messages in %s (%s): they wait in memory", self.path, error)
            self._failing = True
            return
        self._failing = False

    def first(self) -> tuple[str, list[InboxEntry] | None]:
        return self.waiting[0]

    def admitted(self, entries: list[InboxEntry]) -> None:
        """The first message passed the flood limit as these entries."""
        self.waiting[0] = (self.waiting[0][0], entries)

    def drop_first(self) -> None:
        """The first message is in the inbox now."""
        self.waiting.pop(0)
        try:
            if not self.waiting:
                self.path.unlink(missing_ok=True)
                return
            partial = self.path.with_name(self.path.name + ".partial")
            partial.write_text(
                "".join(json.dumps(data) + "\n" for data, _ in self.waiting), encoding="utf-8"
            )
            partial.replace(self.path)
        except OSError as error:
            log.error("cannot update %s: %s", self.path, error)
