"""Catalogs, the person's language, and Babel formatting and parsing for it.

Everything formatted here (numbers, amounts, dates, times) uses one digit system per locale, CLDR's
default for it: Persian digits and separators in fa, Latin digits elsewhere; amounts show the €
sign in every locale, in the locale's pattern. Input may use Latin, Arabic-Indic or Persian digits
in every locale. References, codes and numbered choices are not formatted here and stay Latin.
"""

from __future__ import annotations

import gettext
import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from conversations.languages import LANGUAGE_CODES
from conversations.limits import MAX_DIGITS

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
# CLDR skeletons: abbreviated weekday, day, abbreviated month (and year), in each locale's order.
WEEKDAY_DATE = "yMMMEd"
WEEKDAY_DAY = "MMMEd"

# The digits of CLDR's numbering systems that our locales use (Babel formats only in Latin ones).
SYSTEM_DIGITS = {"latn": "0123456789", "arab": "٠١٢٣٤٥٦٧٨٩", "arabext": "۰۱۲۳۴۵۶۷۸۹"}
# CLDR's narrow symbol for the euro; uk's standard one is the code "EUR", which no one else shows.
EURO_SIGN = "€"
_DIGITS = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
_DIGITS.update({ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")})
_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u2066\u2067\u2068\u2069"))
_SPACES = "\u00a0\u202f\u2009 "
_CURRENCY_WORDS = ("eur", "euro", "euros", "€", "евро", "євро", "يورو", "یورو")


YEAR_MARK = re.compile(r"\s(?:р|г)\.$")


class AmountError(ValueError):
    """Typed text that is not an amount of money in the person's locale."""


def load_translations(locale: str, directory: Path = LOCALES_DIR) -> gettext.NullTranslations:
    """The compiled catalog, compiled in memory from the .po file when no fresh .mo exists."""
    po = directory / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as file:
            return Translations(file, domain=DOMAIN)
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as file:
        catalog = read_po(file, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


class Translator:
    """gettext and Babel for one locale and time zone."""

    def __init__(self, locale: str, translations: gettext.NullTranslations, tz: ZoneInfo) -> None:
        self._locale = locale
        self._babel = Locale.parse(locale)
        self._translations = translations
        self.tz = tz
        self._digits = str.maketrans(SYSTEM_DIGITS["latn"], locale_digits(locale))

    @property
    def locale(self) -> str:
        return self._locale

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)

    def _shown(self, formatted: str) -> str:
        """Babel's output in the locale's own digits."""
        return formatted.translate(self._digits)

    def _local(self, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("naive datetime: times are kept aware, in UTC")
        return value.astimezone(self.tz)

    def local_date(self, value: datetime) -> date:
        return self._local(value).date()

    def format_date(self, value: date | datetime) -> str:
        """The date with its weekday, as people say it: "Di., 24. Nov. 2026"."""
        if isinstance(value, datetime):
            value = self._local(value).date()
        formatted = dates.format_skeleton(WEEKDAY_DATE, value, locale=self._babel)
        # Ukrainian and Russian mark the year with an abbreviation ("2027 р.", "2027 г."), whose
        # period would double the period of a sentence that ends with the date: left out, as is
        # usual in short dates.
        return self._shown(YEAR_MARK.sub("", formatted))

    def format_datetime(self, value: datetime) -> str:
        """The date with its weekday and the short time, joined the locale's way
        ("Di., 24. Nov. 2026, 18:30")."""
        local = self._local(value)
        pattern = dates.get_datetime_format("medium", locale=self._babel)
        return (
            str(pattern)
            .replace("'", "")
            .format(
                self.format_time(local),
                self.format_date(local.date()),
            )
        )

    def format_day(self, value: date) -> str:
        """A day of a calendar without its year: "Di., 24. Nov.", "Tue, Nov 24"."""
        return self._shown(dates.format_skeleton(WEEKDAY_DAY, value, locale=self._babel))

    def language_name(self, code: str) -> str:
        """A language's name in this locale's words, for use inside a sentence ("Ukrainisch",
        "українська"), where its own name ("Українська") would be another language's word."""
        return Locale.parse(code).get_display_name(self._babel) or code

    def format_money(self, cents: int) -> str:
        """Euros in the locale's pattern, separators and digits, always with the sign:
        "450,00 €", "€450.00", "€ ۴۵۰٫۰۰" (with the direction mark CLDR puts there)."""
        formatted = numbers.format_currency(
            Decimal(cents) / 100, "EUR", locale=self._babel, numbering_system="default"
        )
        symbol = numbers.get_currency_symbol("EUR", locale=self._babel)
        return self._shown(formatted.replace(symbol, EURO_SIGN))

    def format_number(self, value: int | float) -> str:
        return self._shown(
            numbers.format_decimal(value, locale=self._babel, numbering_system="default")
        )

    def parse_amount(self, text: str) -> int:
        """Typed money in this locale's form, in cents: `1.000,50` (de), `1,000.50` (en), `٥٠`."""
        cleaned = _normalize_number(text, self._babel)
        lowered = cleaned.casefold()
        for word in sorted(_CURRENCY_WORDS, key=len, reverse=True):  # "euros" before "eur"
            lowered = lowered.replace(word, " ")
        if re.search(r"\d\s+\d", lowered):  # "12€50": a currency between digits
            raise AmountError(text)
        cleaned = lowered.strip().removesuffix(",-").removesuffix(".-")
        if not cleaned or not any(ch.isdigit() for ch in cleaned):
            raise AmountError(text)
        decimal = numbers.get_decimal_symbol(self._babel)
        group = numbers.get_group_symbol(self._babel)
        if any(not ch.isdigit() and ch not in (decimal, group) for ch in cleaned):
            raise AmountError(text)  # 1e3, -5, 12€50: not an amount as people write it
        whole = cleaned.split(decimal, 1)[0]
        if sum(ch.isdigit() for ch in whole.lstrip("0")) > MAX_DIGITS:
            raise AmountError(text)  # thirty nines: no amount anyone here means
        if decimal in cleaned and len(cleaned.rsplit(decimal, 1)[1]) > 2:
            # "1,000" in German or "1.000" in English: probably the other country's form of a
            # thousand, which would silently be read as one euro.
            raise AmountError(text)
        try:
            value = numbers.parse_decimal(cleaned, locale=self._babel, strict=True)
        except (numbers.NumberFormatError, InvalidOperation):
            raise AmountError(text) from None
        if value < 0 or value != value.quantize(Decimal("0.01")):
            raise AmountError(text)
        return int(value * 100)

    def parse_number(self, text: str) -> int:
        """A typed count (0, 12, ١٢, ۱۲), without sign or decimals."""
        cleaned = _normalize_number(text, self._babel).replace(
            numbers.get_group_symbol(self._babel), ""
        )
        if not cleaned.isdigit() or len(cleaned.lstrip("0")) > MAX_DIGITS:
            raise ValueError(text)
        return int(cleaned)

    def parse_date(self, text: str) -> date:
        """A typed date in the locale's numeric form (24.12.2026, 12/24/2026) or ISO 2026-12-24.
        Dots always mean day.month.year, as on German forms, whatever the language."""
        cleaned = _normalize_number(text.replace(" ", ""), self._babel)
        try:
            parsed = date.fromisoformat(cleaned)
        except ValueError:
            dotted = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})\.?", cleaned)
            try:
                if dotted:
                    day, month, year = (int(part) for part in dotted.groups())
                    parsed = date(year + 2000 if year < 100 else year, month, day)
                else:
                    parsed = dates.parse_date(cleaned, locale=self._babel, format="short")
            except (ValueError, IndexError):
                raise ValueError(text) from None
        if parsed.year < 100:
            parsed = parsed.replace(year=2000 + parsed.year)
        if not 2000 <= parsed.year <= 2100:  # e.g. a date of the Persian calendar, 1405/10/03
            raise ValueError(text)
        return parsed

    def parse_time(self, text: str) -> time:
        """A typed time of day: 18:30, 18.30, 18 Uhr, ١٨:٣٠, and 6:30 PM as en and ar show it."""
        cleaned = _normalize_number(text, self._babel).strip()
        match = re.fullmatch(r"(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*(\D{0,4})", cleaned)
        if not match:
            raise ValueError(text)
        hour, minute = int(match[1]), int(match[2] or 0)
        periods = self._babel.day_periods["format"]["abbreviated"]
        suffix = match[3].casefold()
        if 1 <= hour <= 12 and suffix in ("am", periods.get("am", "am").casefold()):
            hour %= 12
        elif 1 <= hour <= 12 and suffix in ("pm", periods.get("pm", "pm").casefold()):
            hour = hour % 12 + 12
        if hour > 23 or minute > 59:
            raise ValueError(text)
        return time(hour, minute)

    def to_utc(self, day: date, clock: time) -> datetime:
        """The moment a local day and time names; ValueError for a time skipped when the clocks
        go forward."""
        local = datetime.combine(day, clock, tzinfo=self.tz)
        moment = local.astimezone(UTC)
        if moment.astimezone(self.tz).replace(tzinfo=None) != local.replace(tzinfo=None):
            raise ValueError(f"{day} {clock} does not exist in {self.tz}")
        return moment

    def format_time(self, value: datetime) -> str:
        return self._shown(dates.format_time(self._local(value), "short", locale=self._babel))

    def format_month(self, value: date) -> str:
        """ "Dezember 2026", "ديسمبر 2026": the month's name and year."""
        return self._shown(dates.format_skeleton("yMMMM", value, locale=self._babel))

    def format_short_date(self, value: date) -> str:
        """The numeric date to type (24.12.2026): only as an example of what to write."""
        return self._shown(dates.format_date(value, "short", locale=self._babel))

    def format_age(self, value: timedelta) -> str:
        """How long ago, in the largest whole unit ("3 Tage", "2 hours")."""
        return self._shown(dates.format_timedelta(value, threshold=1, locale=self._babel))


def locale_digits(locale: str) -> str:
    """The ten digits, 0 to 9, of the locale's default numbering system in CLDR."""
    return SYSTEM_DIGITS[Locale.parse(locale).default_numbering_system]


def _normalize_number(text: str, locale: Locale) -> str:
    decimal = numbers.get_decimal_symbol(locale)
    group = numbers.get_group_symbol(locale)
    text = text.translate(_DIGITS).translate(_INVISIBLE)
    text = text.replace("٫", decimal).replace("٬", group if group.strip() else "")
    # Spaces group digits in uk/ru and are typed loosely elsewhere: drop them all.
    return "".join(ch for ch in text if ch not in _SPACES)


class Catalogs:
    """Every catalog, loaded once; hands out a Translator per locale."""

    def __init__(self, *, timezone: str = "Europe/Berlin", directory: Path = LOCALES_DIR) -> None:
        self.tz = ZoneInfo(timezone)
        self.directory = directory

    @cache  # noqa: B019 - one Catalogs per process; translators are immutable
    def translator(self, locale: str) -> Translator:
        if locale not in LANGUAGE_CODES:
            raise LookupError(f"unsupported locale {locale!r}")
        return Translator(locale, load_translations(locale, self.directory), self.tz)
