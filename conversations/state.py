"""The conversation state that is saved after every step, so a restart resumes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FlowState:
    """Where a person stands: the active flow and step, what they typed so far, and a version."""

    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    version: int = 0

    @property
    def active(self) -> bool:
        return self.flow is not None

    def enter(self, flow: str, step: str, data: dict[str, Any] | None = None) -> None:
        self.flow, self.step, self.data = flow, step, dict(data or {})

    def clear(self) -> None:
        self.flow, self.step, self.data = None, None, {}
