"""A month of buttons to pick a day, for people who would rather tap than type a date: each day
labelled with its weekday and month, only days between the first and last allowed."""

from __future__ import annotations

import calendar
from datetime import date

from conversations.messages import Choice
from conversations.ports import Translator

DAY = "day:"
MONTH = "month:"
WEEK_SPLIT = 4  # weekday index (Friday) where the second row of a week begins


def month_keyboard(
    t: Translator, month: date, *, first: date, last: date
) -> tuple[tuple[Choice, ...], ...]:
    """Days of `month` between `first` and `last` as buttons, with arrows to the neighbouring
    months that still hold such days."""
    month = shown_month(month, first=first, last=last)
    rows: list[tuple[Choice, ...]] = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        days = [d for d in week if d.month == month.month and first <= d <= last]
        # A week in two rows, Monday to Thursday and Friday to Sunday, so that labels with the
        # weekday and the month ("Mi., 9. Dez.") fit on a phone's buttons.
        for part in (
            [d for d in days if d.weekday() < WEEK_SPLIT],
            [d for d in days if d.weekday() >= WEEK_SPLIT],
        ):
            if part:
                rows.append(tuple(Choice(t.format_day(d), f"{DAY}{d.isoformat()}") for d in part))
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


def shown_month(month: date, *, first: date, last: date) -> date:
    """The first of the month to show: `month`, kept between the months of `first` and `last`
    (a month remembered from an earlier question may lie outside)."""
    return min(max(month.replace(day=1), first.replace(day=1)), last.replace(day=1))


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_name(t: Translator, month: date) -> str:
    return t.format_month(month)


def day_of_month(text: str, month: date) -> date | None:
    """A bare day number typed where the calendar of `month` is shown ("10" for the 10th), as
    Signal and the terminal show the days as text; None for anything else."""
    typed = text.strip().rstrip(".")
    if not typed.isdecimal() or len(typed) > 2:
        return None
    try:
        return month.replace(day=int(typed))
    except ValueError:
        return None
