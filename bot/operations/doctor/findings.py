"""One line of `doctor`: what was checked, and ok, skipped, or what is wrong and what to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["ok", "skip", "FAIL"]


@dataclass(frozen=True)
class Finding:
    status: Status
    subject: str
    text: str

    @property
    def failed(self) -> bool:
        return self.status == "FAIL"

    def line(self) -> str:
        return f"{self.status:<4}  {self.subject}: {self.text}"


def ok(subject: str, text: str) -> Finding:
    return Finding("ok", subject, text)


def skip(subject: str, text: str) -> Finding:
    return Finding("skip", subject, text)


def fail(subject: str, text: str) -> Finding:
    return Finding("FAIL", subject, text)
