"""The bench's one table: each figure with its floor or limit, their ratio, target and verdict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

COLUMNS = ("figure", "value", "floor or limit", "ratio", "target", "verdict")


@dataclass(frozen=True)
class Target:
    """A bound on the value itself, on value ÷ reference ("ratio") or on value − reference
    ("above": how far it may rise over the reference)."""

    bound: float
    of: Literal["value", "ratio", "above"] = "value"
    at_least: bool = False

    def met(self, figure: Figure) -> bool:
        compared = {
            "value": figure.value,
            "ratio": figure.ratio,
            "above": None if figure.reference is None else figure.value - figure.reference,
        }[self.of]
        if compared is None:
            return False
        return compared >= self.bound if self.at_least else compared <= self.bound

    def __str__(self) -> str:
        sign = "≥" if self.at_least else "≤"
        bound = f"{self.bound:g}"
        return {
            "value": f"{sign} {bound}",
            "ratio": f"{sign} {bound}×",
            "above": f"{sign} +{bound}",
        }[self.of]


@dataclass(frozen=True)
class Figure:
    """One measured value; `reference` is the floor it is compared with or the limit it works
    against (None: neither), `target` what it must meet (None: shown for context only)."""

    name: str
    value: float
    reference: float | None = None
    target: Target | None = None

    @property
    def ratio(self) -> float | None:
        if self.reference is None or self.reference == 0:
            return None
        return self.value / self.reference

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "ok" if self.target.met(self) else "MISSED"


def number(value: float | None) -> str:
    """Few digits, as many as the size of the value warrants."""
    if value is None:
        return "–"
    if value == int(value) or abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def render(figures: list[Figure]) -> str:
    """A Markdown table, readable as plain text and pasted as is into the README."""
    rows = [COLUMNS] + [
        (
            figure.name,
            number(figure.value),
            number(figure.reference),
            "–" if figure.ratio is None else f"{figure.ratio:.2f}",
            "" if figure.target is None else str(figure.target),
            figure.verdict,
        )
        for figure in figures
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(COLUMNS))]

    def line(cells: tuple[str, ...]) -> str:
        padded = [
            cell.ljust(width) if column == 0 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(
        "-" * (width + 1) + (":" if column else "-") for column, width in enumerate(widths)
    )
    return "\n".join([line(rows[0]), rule + "|", *(line(row) for row in rows[1:])])


def missed(figures: list[Figure]) -> list[Figure]:
    return [figure for figure in figures if figure.verdict == "MISSED"]
