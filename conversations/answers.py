"""Typed numbers and amounts, read in the person's locale, with a clear word when they are not."""

from __future__ import annotations

from conversations.flow import Answer, Context, Invalid

EXAMPLE_CENTS = 12550


def typed_amount(ctx: Context, answer: Answer) -> int:
    """Money typed in the locale's form, in cents."""
    try:
        return ctx.t.parse_amount(answer.text)
    except ValueError:
        raise Invalid(
            ctx.t.gettext("I could not read that amount. Please write it like {example}.").format(
                example=ctx.t.format_money(EXAMPLE_CENTS)
            )
        ) from None


def typed_count(ctx: Context, answer: Answer, *, maximum: int = 10_000) -> int:
    """A number of people."""
    try:
        value = ctx.t.parse_number(answer.text)
    except ValueError:
        raise Invalid(ctx.t.gettext("Please write a whole number, like 12.")) from None
    if value > maximum:
        raise Invalid(ctx.t.gettext("That is more people than a micro-project can reach."))
    return value
