"""Babel formatting and parsing per locale."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.i18n import AmountError, Catalogs

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
        ("uk", "1 000,50", 100050),
        ("ru", "1\u00a0000,50 €", 100050),
        ("uk", "300 євро", 30000),
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
    ],
)
def test_what_is_not_an_amount_is_refused(locale: str, typed: str) -> None:
    with pytest.raises(AmountError):
        catalogs.translator(locale).parse_amount(typed)


@pytest.mark.parametrize(
    ("locale", "money", "moment"),
    [
        ("de", "1.000,50\u00a0€", "24.11.2026, 18:30"),
        ("en", "€1,000.50", "Nov 24, 2026, 6:30\u202fPM"),
        ("uk", "1\u00a0000,50\u00a0EUR", "24 лист. 2026\u202fр., 18:30"),
        ("ru", "1\u00a0000,50\u00a0€", "24 нояб. 2026\u202fг., 18:30"),
    ],
)
def test_money_and_times_are_formatted_for_the_locale(locale: str, money: str, moment: str) -> None:
    translator = catalogs.translator(locale)
    assert translator.format_money(100050) == money
    assert translator.format_datetime(datetime(2026, 11, 24, 17, 30, tzinfo=UTC)) == moment


def test_times_are_shown_in_berlin_across_daylight_saving() -> None:
    translator = catalogs.translator("de")
    assert translator.format_datetime(datetime(2026, 3, 29, 0, 30, tzinfo=UTC)) == (
        "29.03.2026, 01:30"
    )
    assert translator.format_datetime(datetime(2026, 3, 29, 1, 30, tzinfo=UTC)) == (
        "29.03.2026, 03:30"
    )


def test_naive_times_are_a_bug() -> None:
    with pytest.raises(ValueError, match="naive"):
        catalogs.translator("de").format_datetime(datetime(2026, 1, 1, 12, 0))
