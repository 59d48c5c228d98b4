"""Babel formatting and parsing per locale."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels import telegram_html
from bot.i18n import AmountError, Catalogs, locale_digits

catalogs = Catalogs(timezone="Europe/Berlin")


@pytest.mark.parametrize(
    ("locale", "typed", "cents"),
    [
        ("de", "1.000,50", 100050),
        ("de", "1000", 100000),
        ("de", "12,5", 1250),
        ("de", "250 €", 25000),
        ("de", "99,-", 9900),
        ("de", "0,01", 1),
        ("en", "1,000.50", 100050),
        ("en", "€1000", 100000),
        ("en", "12.5 EUR", 1250),
        ("ar", "١٬٠٠٠٫٥٠", 100050),
        ("ar", "٥٠٠", 50000),
        ("ar", "1,000.50", 100050),
        ("fa", "۱۰۰۰٫۵", 100050),
        ("fa", "۲۵۰ یورو", 25000),
        ("fa", "۱٬۰۰۰٫۵۰", 100050),
        ("fa", "۰٫۰۵", 5),
        ("ar", "\u200f١٬٠٠٠٫٥٠ €", 100050),
        ("ar", "١٢٫٥", 1250),
        ("uk", "1 000,50", 100050),
        ("ru", "1\u00a0000,50 €", 100050),
        ("uk", "300 євро", 30000),
        ("de", "12 Euro", 1200),
        ("en", "40 euros", 4000),
    ],
)
def test_amounts_are_parsed_in_the_locales_form(locale: str, typed: str, cents: int) -> None:
    assert catalogs.translator(locale).parse_amount(typed) == cents


@pytest.mark.parametrize(
    ("locale", "typed"),
    [
        ("de", "1,000.50"),
        ("en", "1.000,50"),
        ("de", "abc"),
        ("de", ""),
        ("de", "-5"),
        ("de", "1,005"),
        ("en", "12.345.6"),
        ("de", "€"),
        ("fa", "۱۲٫۳۴۵"),
        ("ar", "١٢٫٥٫٠"),
        ("de", "1,000"),  # an English thousand: not read as one euro
        ("en", "1.000"),  # a German thousand
        ("de", "1e3"),
        ("en", "12€50"),
    ],
)
def test_what_is_not_an_amount_is_refused(locale: str, typed: str) -> None:
    with pytest.raises(AmountError):
        catalogs.translator(locale).parse_amount(typed)


@pytest.mark.parametrize(
    ("locale", "typed", "expected"),
    [
        ("de", "24.12.2026", date(2026, 12, 24)),
        ("fa", "24.12.26", date(2026, 12, 24)),  # dots: day.month.year, as on German forms
        ("ar", "٢٤.١٢.٢٠٢٦", date(2026, 12, 24)),
        ("en", "12/24/26", date(2026, 12, 24)),
        ("uk", "2026-12-24", date(2026, 12, 24)),
    ],
)
def test_typed_dates(locale: str, typed: str, expected: date) -> None:
    assert catalogs.translator(locale).parse_date(typed) == expected


@pytest.mark.parametrize(
    ("locale", "typed"),
    [("fa", "۱۴۰۵/۱۰/۰۳"), ("de", "31.02.2026"), ("de", "24.12.1926"), ("en", "tomorrow")],
)
def test_what_is_not_a_date_is_refused(locale: str, typed: str) -> None:
    with pytest.raises(ValueError):
        catalogs.translator(locale).parse_date(typed)


@pytest.mark.parametrize(
    ("locale", "money", "moment"),
    [
        ("de", "1.000,50\u00a0€", "Di., 24. Nov. 2026, 18:30"),
        ("en", "€1,000.50", "Tue, Nov 24, 2026, 6:30\u202fPM"),
        ("uk", "1\u00a0000,50\u00a0€", "вт, 24 лист. 2026, 18:30"),
        ("ru", "1\u00a0000,50\u00a0€", "вт, 24 нояб. 2026, 18:30"),
        # CLDR's default digits (Latin in ar, Persian in fa); the marks keep the order right in
        # right-to-left text.
        ("ar", "\u200f1,000.50\u00a0€", "الثلاثاء، 24 نوفمبر 2026، 6:30 م"),
        ("fa", "\u200e€\u00a0۱٬۰۰۰٫۵۰", "سه\u200cشنبه ۲۴ نوامبر ۲۰۲۶،\u200f ۱۸:۳۰"),
    ],
)
def test_money_and_times_are_formatted_for_the_locale(locale: str, money: str, moment: str) -> None:
    translator = catalogs.translator(locale)
    assert translator.format_money(100050) == money
    assert translator.format_datetime(datetime(2026, 11, 24, 17, 30, tzinfo=UTC)) == moment


@pytest.mark.parametrize(
    ("locale", "day", "clock", "month"),
    [
        ("ar", "الثلاثاء، 24 نوفمبر 2026", "6:30 م", "ديسمبر 2026"),
        ("fa", "سه\u200cشنبه ۲۴ نوامبر ۲۰۲۶", "۱۸:۳۰", "دسامبر ۲۰۲۶"),
    ],
)
def test_dates_and_times_in_right_to_left_locales(
    locale: str, day: str, clock: str, month: str
) -> None:
    translator = catalogs.translator(locale)
    moment = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)
    assert translator.format_date(moment) == day
    assert translator.format_time(moment) == clock
    assert translator.format_month(date(2026, 12, 1)) == month


@pytest.mark.parametrize("locale", ["de", "en", "ar", "fa", "uk", "ru"])
def test_what_the_bot_shows_can_be_typed_back(locale: str) -> None:
    translator = catalogs.translator(locale)
    assert translator.parse_amount(translator.format_money(100050)) == 100050
    assert translator.parse_date(translator.format_short_date(date(2026, 12, 24))) == date(
        2026, 12, 24
    )


@pytest.mark.parametrize(
    ("locale", "day"),
    [
        ("de", "Mi., 9. Dez."),
        ("en", "Wed, Dec 9"),
        ("ar", "الأربعاء، 9 ديسمبر"),
        ("fa", "چهارشنبه ۹ دسامبر"),
        ("uk", "ср, 9 груд."),
        ("ru", "ср, 9 дек."),
    ],
)
def test_a_calendar_day_reads_with_its_weekday_and_month(locale: str, day: str) -> None:
    translator = catalogs.translator(locale)
    assert translator.format_day(date(2026, 12, 9)) == day
    assert translator.format_date(date(2026, 12, 9)).startswith(day.rstrip("."))


def test_times_are_shown_in_berlin_across_daylight_saving() -> None:
    translator = catalogs.translator("de")
    assert translator.format_datetime(datetime(2026, 3, 29, 0, 30, tzinfo=UTC)) == (
        "So., 29. März 2026, 01:30"
    )
    assert translator.format_datetime(datetime(2026, 3, 29, 1, 30, tzinfo=UTC)) == (
        "So., 29. März 2026, 03:30"
    )


def test_naive_times_are_a_bug() -> None:
    with pytest.raises(ValueError, match="naive"):
        catalogs.translator("de").format_datetime(datetime(2026, 1, 1, 12, 0))


# One digit system per locale, CLDR's default, and the € sign in every locale.
LOCALES = ["de", "en", "ar", "fa", "uk", "ru"]
# The only invisible characters formatted text may hold: the direction marks CLDR puts around
# numbers in right-to-left text, and the zero-width non-joiner inside Persian words.
MARKS = {"\u200e", "\u200f", "\u061c", "\u200c"}
# Dates this office deals in: a two-digit year typed back is placed near today (Babel follows ICU).
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2045, 12, 30), timezones=st.just(UTC)
)


def digits_of(text: str) -> set[str]:
    return {ch for ch in text if ch.isdecimal()}


@pytest.mark.parametrize(
    ("locale", "digits"),
    [
        ("de", "0123456789"),
        ("en", "0123456789"),
        ("ar", "0123456789"),
        ("fa", "۰۱۲۳۴۵۶۷۸۹"),
        ("uk", "0123456789"),
        ("ru", "0123456789"),
    ],
)
def test_each_locale_writes_the_digits_cldr_gives_it(locale: str, digits: str) -> None:
    assert locale_digits(locale) == digits


@pytest.mark.parametrize("locale", LOCALES)
@given(cents=st.integers(min_value=0, max_value=10**11 - 1))
def test_amounts_show_the_locales_digits_and_the_euro_sign_and_read_back(
    locale: str, cents: int
) -> None:
    translator = catalogs.translator(locale)
    shown = translator.format_money(cents)
    assert digits_of(shown) <= set(locale_digits(locale))
    assert "€" in shown and "EUR" not in shown
    assert translator.parse_amount(shown) == cents


@pytest.mark.parametrize("locale", LOCALES)
@given(value=st.integers(min_value=0, max_value=10**9 - 1))
def test_numbers_show_the_locales_digits_and_read_back(locale: str, value: int) -> None:
    translator = catalogs.translator(locale)
    shown = translator.format_number(value)
    assert digits_of(shown) <= set(locale_digits(locale))
    assert translator.parse_number(shown) == value


@pytest.mark.parametrize("locale", LOCALES)
@given(moment=moments)
def test_dates_and_times_show_the_locales_digits(locale: str, moment: datetime) -> None:
    translator = catalogs.translator(locale)
    day = translator.local_date(moment)
    shown = [
        translator.format_date(moment),
        translator.format_datetime(moment),
        translator.format_time(moment),
        translator.format_day(day),
        translator.format_month(day),
        translator.format_short_date(day),
    ]
    for text in shown:
        assert digits_of(text) <= set(locale_digits(locale)), text
        assert {ch for ch in text if unicodedata.category(ch) == "Cf"} <= MARKS, text
        telegram_html.check(text)  # nothing in it that Telegram's HTML would refuse
    assert translator.parse_date(translator.format_short_date(day)) == day
    clock = moment.astimezone(translator.tz).time().replace(second=0, microsecond=0)
    assert translator.parse_time(translator.format_time(moment)) == clock


@pytest.mark.parametrize("locale", LOCALES)
def test_money_keeps_only_the_marks_cldr_puts_there(locale: str) -> None:
    shown = catalogs.translator(locale).format_money(123_456_789)
    assert {ch for ch in shown if unicodedata.category(ch) == "Cf"} <= MARKS
    telegram_html.check(shown)


@pytest.mark.parametrize(
    ("locale", "typed"),
    [("fa", "۴۵۰"), ("fa", "450"), ("fa", "٤٥٠"), ("ar", "٤٥٠"), ("de", "۴۵۰"), ("uk", "450")],
)
def test_every_locale_reads_every_digit_system(locale: str, typed: str) -> None:
    translator = catalogs.translator(locale)
    assert translator.parse_amount(typed) == 45000
    assert translator.parse_number(typed) == 450


@pytest.mark.parametrize(
    ("locale", "typed", "clock"),
    [
        ("en", "6:30 PM", time(18, 30)),
        ("en", "12:15 am", time(0, 15)),
        ("en", "12 pm", time(12, 0)),
        ("ar", "6:30 م", time(18, 30)),
        ("ar", "٦:٣٠ ص", time(6, 30)),
        ("fa", "۱۸:۳۰", time(18, 30)),
        ("de", "18 Uhr", time(18, 0)),
    ],
)
def test_typed_times_with_the_locales_day_periods(locale: str, typed: str, clock: time) -> None:
    assert catalogs.translator(locale).parse_time(typed) == clock


@pytest.mark.parametrize("locale", ["uk", "ru"])
def test_a_sentence_ending_with_a_date_has_one_period(locale: str) -> None:
    """The year's abbreviation ("р.", "г.") would double the sentence's period: "до … р.."."""
    t = catalogs.translator(locale)
    day = date(2027, 3, 31)
    sentence = t.gettext("You can answer until {date}.").format(date=t.format_date(day))
    assert ".." not in sentence
