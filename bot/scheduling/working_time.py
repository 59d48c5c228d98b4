"""The district office's working time: which days and hours staff work, public holidays of
Mecklenburg-Vorpommern excluded, and when an answer promised in working days is due."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import holidays

if TYPE_CHECKING:
    from bot.settings import Settings

# The district lies in Mecklenburg-Vorpommern: its public holidays (Reformation Day, and since
# 2023 Women's Day) are days off; python-holidays keeps the rules, year by year.
HOLIDAY_COUNTRY, HOLIDAY_SUBDIVISION = "DE", "MV"
# Working days are rare enough never to be this far apart; beyond, the settings are wrong.
_LONGEST_SEARCH = timedelta(days=366)


@cache  # one calendar for the process: it works out each year's holidays once, when first asked
def public_holidays() -> holidays.HolidayBase:
    return holidays.country_holidays(HOLIDAY_COUNTRY, subdiv=HOLIDAY_SUBDIVISION)


@dataclass(frozen=True)
class WorkingTime:
    """`days`: weekdays worked (Monday 0); `opens`/`closes`: local hours of each working day."""

    days: frozenset[int]
    opens: time
    closes: time
    tz: ZoneInfo
    holidays: holidays.HolidayBase = field(default_factory=public_holidays, compare=False)

    @classmethod
    def of(cls, settings: Settings) -> WorkingTime:
        opens, closes = settings.working_hours
        return cls(days=settings.working_days, opens=opens, closes=closes, tz=settings.tz)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def is_working_time(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz)
        return self.is_working_day(local.date()) and self.opens <= local.time() < self.closes

    def next_opening(self, moment: datetime) -> datetime:
        """The first start of working hours at or after `moment` (UTC)."""
        local = moment.astimezone(self.tz)
        day = local.date()
        if local.time() > self.opens or not self.is_working_day(day):
            day = self._working_day_after(day)
        return self._at(day, self.opens)

    def deadline(self, moment: datetime, working_days: int) -> datetime:
        """An answer promised within `working_days` (at least 1) to what arrived at `moment` is
        due at the close of the last of that many working days after the day it arrived: the
        day of arrival never counts, however early."""
        if working_days < 1:
            raise ValueError(f"working_days must be at least 1, not {working_days}")
        day = moment.astimezone(self.tz).date()
        for _ in range(working_days):
            day = self._working_day_after(day)
        return self._at(day, self.closes)

    def is_overdue(self, asked_at: datetime, working_days: int, now: datetime) -> bool:
        return now >= self.deadline(asked_at, working_days)

    def _working_day_after(self, day: date) -> date:
        candidate = day + timedelta(days=1)
        while not self.is_working_day(candidate):
            candidate += timedelta(days=1)
            if candidate - day > _LONGEST_SEARCH:
                raise ValueError("no working day within a year: check WORKING_DAYS")
        return candidate

    def _at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.tz).astimezone(UTC)
