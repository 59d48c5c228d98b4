"""A month of buttons to pick a day, for people who would rather tap than type a date."""

from __future__ import annotations

import calendar
from datetime import date

from conversations.messages import Choice
from conversations.ports import Translator

DAY = "day:"
MONTH = "month:"


def month_keyboard(
    t: Translator, month: date, *, first: date, last: date
) -> tuple[tuple[Choice, ...], ...]:
    """Days of `month` between `first` and `last` as buttons, with arrows to the next months."""
    month = month.replace(day=1)
    rows: list[tuple[Choice, ...]] = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        days = [d for d in week if d.month == month.month and first <= d <= last]
        if days:
            rows.append(
                tuple(Choice(t.format_number(d.day), f"{DAY}{d.isoformat()}") for d in days)
            )
    navigation = []
    previous = _shift(month, -1)
    following = _shift(month, 1)
    if previous >= first.replace(day=1):
        navigation.append(Choice("◀ " + _month_name(t, previous), f"{MONTH}{previous.isoformat()}"))
    if following <= last:
        navigation.append(
            Choice(_month_name(t, following) + " ▶", f"{MONTH}{following.isoformat()}")
        )
    if navigation:
        rows.append(tuple(navigation))
    return tuple(rows)


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_name(t: Translator, month: date) -> str:
    return t.format_month(month)
