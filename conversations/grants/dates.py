"""/apply: when the project starts and ends, typed or tapped in a calendar of the round's months,
checked against today and the funding round."""

from __future__ import annotations

from datetime import date

from conversations.date_picker import DAY, MONTH, day_of_month, month_keyboard, shown_month
from conversations.flow import Answer, Context, Invalid, Question
from conversations.grants.ports import ApplicationView, GrantRuleError
from conversations.grants.steps import KEEP, ApplicationSteps
from conversations.grants.summary import refusal


class ProjectDateSteps(ApplicationSteps):
    """The steps `start` and `end` of the wizard."""

    async def date_question(
        self, ctx: Context, text: str, current: date | None, first: date
    ) -> Question:
        application = await self.application(ctx)
        last = application.round.closes_on
        keyboard = month_keyboard(ctx.t, self.shown(ctx, first, last), first=first, last=last)
        text += "\n" + round_period(ctx, application)
        text += "\n" + ctx.t.gettext("Type it (like {example}) or tap a day.").format(
            example=ctx.t.format_short_date(first)
        )
        return self.question(
            ctx, text, ctx.t.format_date(current) if current else None, keyboard, numeric=True
        )

    def shown(self, ctx: Context, first: date, last: date) -> date:
        """The month the calendar shows: the one the person turned to, else the first's."""
        month = date.fromisoformat(ctx.state.data.get("month", first.isoformat()))
        return shown_month(month, first=first, last=last)

    def typed_date(self, ctx: Context, answer: Answer, first: date, last: date) -> date | None:
        """The chosen day, or None after the calendar moved to another month. A bare number is
        that day of the month shown (Signal and the terminal show the days as text)."""
        if answer.data and answer.data.startswith(MONTH):
            ctx.state.data["month"] = answer.data.removeprefix(MONTH)
            return None
        if answer.data and answer.data.startswith(DAY):
            return date.fromisoformat(answer.data.removeprefix(DAY))
        day = day_of_month(answer.text, self.shown(ctx, first, last))
        if day is not None:
            return day
        try:
            return ctx.t.parse_date(answer.text)
        except ValueError:
            raise Invalid(
                ctx.t.gettext("I could not read that date. Please write it like {example}.").format(
                    example=ctx.t.format_short_date(ctx.t.local_date(ctx.ports.clock.now()))
                )
            ) from None

    async def ask_start(self, ctx: Context) -> Question:
        application = await self.application(ctx)
        today = ctx.t.local_date(ctx.ports.clock.now())
        return await self.date_question(
            ctx,
            ctx.t.gettext("When does the project start?"),
            application.starts_on,
            first_day(application, today),
        )

    async def on_start(self, ctx: Context, answer: Answer) -> str:
        if answer.data == KEEP:
            return await self.then(ctx)
        application = await self.application(ctx)
        today = ctx.t.local_date(ctx.ports.clock.now())
        starts_on = self.typed_date(
            ctx, answer, first_day(application, today), application.round.closes_on
        )
        if starts_on is None:
            return "start"
        ctx.state.data.pop("month", None)
        self.check_dates(ctx, application, starts_on, None)
        ends_on = (
            application.ends_on
            if application.ends_on and application.ends_on >= starts_on
            else None
        )
        await ctx.ports.grants.update(application.id, starts_on=starts_on, ends_on=ends_on)
        return "end" if ends_on is None else await self.then(ctx)

    async def ask_end(self, ctx: Context) -> Question:
        application = await self.application(ctx)
        assert application.starts_on is not None
        return await self.date_question(
            ctx,
            ctx.t.gettext("When does the project end?"),
            application.ends_on,
            application.starts_on,
        )

    async def on_end(self, ctx: Context, answer: Answer) -> str:
        if answer.data == KEEP:
            return await self.then(ctx)
        application = await self.application(ctx)
        assert application.starts_on is not None
        ends_on = self.typed_date(ctx, answer, application.starts_on, application.round.closes_on)
        if ends_on is None:
            return "end"
        ctx.state.data.pop("month", None)
        self.check_dates(ctx, application, application.starts_on, ends_on)
        await ctx.ports.grants.update(application.id, ends_on=ends_on)
        return await self.then(ctx)

    def check_dates(
        self, ctx: Context, application: ApplicationView, starts_on: date, ends_on: date | None
    ) -> None:
        today = ctx.t.local_date(ctx.ports.clock.now())
        if starts_on < today or (ends_on is not None and ends_on < today):
            raise Invalid(refusal(ctx.t, GrantRuleError("in_the_past")))
        if ends_on is not None and ends_on < starts_on:
            raise Invalid(refusal(ctx.t, GrantRuleError("end_before_start")))
        last = ends_on or starts_on
        if starts_on < application.round.opens_on or last > application.round.closes_on:
            raise Invalid(
                refusal(ctx.t, GrantRuleError("outside_round"))
                + " "
                + round_period(ctx, application)
            )


def first_day(application: ApplicationView, today: date) -> date:
    """The first day a project may start: today, or the round's first day if that is later."""
    return max(today, application.round.opens_on)


def round_period(ctx: Context, application: ApplicationView) -> str:
    return ctx.t.gettext("The round runs from {start} to {end}.").format(
        start=ctx.t.format_date(application.round.opens_on),
        end=ctx.t.format_date(application.round.closes_on),
    )
