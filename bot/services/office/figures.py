"""The questions' figures for /stats and the export: asked, answered and the median time to the
first answer, in all, per region and per language. What the office reads from them is also
where the library lacks a topic."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from statistics import median

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Question, Region
from bot.services.spreadsheet import Cell, Table
from conversations.markers import N_
from conversations.office.ports import QuestionCounts, QuestionFigures
from conversations.ports import Translator

SECONDS_PER_HOUR = 3600
COLUMNS = (
    N_("Questions asked"),
    N_("Questions answered"),
    N_("Median hours to the first answer"),
)


async def question_figures(session: AsyncSession) -> QuestionFigures:
    """Of every question still stored; the wait is wall-clock time, nights, weekends and holidays
    included, from the question to the first answer of staff."""
    regions = dict((await session.execute(select(Region.id, Region.name))).all())
    rows = (
        await session.execute(
            select(Question.region_id, Question.locale, Question.created_at).add_columns(
                Question.first_answer_at
            )
        )
    ).all()
    asked = [
        (regions.get(region_id or 0), locale, at, first) for region_id, locale, at, first in rows
    ]
    return QuestionFigures(
        total=_counts(None, [(at, first) for _, _, at, first in asked]),
        regions=_grouped(asked, lambda row: row[0]),
        languages=_grouped(asked, lambda row: row[1]),
    )


Row = tuple[str | None, str, datetime, datetime | None]


def _grouped(rows: list[Row], key: Callable[[Row], str | None]) -> list[QuestionCounts]:
    groups: dict[str | None, list[tuple[datetime, datetime | None]]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append((row[2], row[3]))
    # By name, the questions of no region last.
    order = sorted(groups, key=lambda name: (name is None, name or ""))
    return [_counts(name, groups[name]) for name in order]


def _counts(key: str | None, times: Iterable[tuple[datetime, datetime | None]]) -> QuestionCounts:
    times = list(times)
    waits = [(first - at).total_seconds() / SECONDS_PER_HOUR for at, first in times if first]
    return QuestionCounts(
        key=key,
        asked=len(times),
        answered=len(waits),
        median_hours=round(median(waits), 1) if waits else None,
    )


def question_tables(figures: QuestionFigures, t: Translator) -> list[Table]:
    """Two sheets of the export, per region and per language, each with a last row for all;
    counts and hours as numbers."""
    _ = t.gettext
    header = [_(column) for column in COLUMNS]

    def row(name: str, counts: QuestionCounts) -> list[Cell]:
        return [name, counts.asked, counts.answered, counts.median_hours]

    total = row(_("All questions"), figures.total)
    by_region = [row(c.key or _("no region"), c) for c in figures.regions]
    by_language = [row(t.language_name(c.key or ""), c) for c in figures.languages]
    return [
        Table(_("Questions by region"), [_("Region"), *header], [*by_region, total]),
        Table(_("Questions by language"), [_("Language"), *header], [*by_language, total]),
    ]
