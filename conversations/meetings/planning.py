"""/newmeeting for staff: regions, title, agenda, date and time, place, capacity, languages,
deadline, newcomers; then a summary to change any of them (`planning_summary`), a preview, and
publishing, which invites every member in their own language."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from conversations.answers import typed_count
from conversations.date_picker import DAY, MONTH, day_of_month, month_keyboard, shown_month
from conversations.flow import Answer, Context, Flow, Invalid, Question
from conversations.limits import (
    MEETING_AGENDA,
    MEETING_LANGUAGES,
    MEETING_PLACE,
    MEETING_TITLE,
    one_line,
    too_short,
)
from conversations.meetings.planning_summary import PlanSummarySteps
from conversations.messages import Choice, rows
from conversations.roles import Permission
from conversations.summary import KEEP, SUMMARY, keeping, then

TIMES = ("10:00", "14:00", "16:00", "17:00", "18:00", "19:00")
DURATIONS = (60, 90, 120, 180)
SKIP = "skip"
DAYS_AHEAD = 365  # how far ahead the calendar offers days for a meeting


def picked_day(ctx: Context, answer: Answer) -> date | None:
    """A day from the calendar buttons or typed; None when the calendar moved a month."""
    if answer.data and answer.data.startswith(MONTH):
        ctx.state.data["month"] = answer.data.removeprefix(MONTH)
        return None
    if answer.data and answer.data.startswith(DAY):
        ctx.state.data.pop("month", None)
        return date.fromisoformat(answer.data.removeprefix(DAY))
    today = ctx.t.local_date(ctx.ports.clock.now())
    # A bare number is that day of the month shown (Signal and the terminal show days as text).
    day = day_of_month(answer.text, shown_day_month(ctx, today))
    try:
        day = day or ctx.t.parse_date(answer.text)
    except ValueError:
        raise Invalid(
            ctx.t.gettext("I could not read that date. Please write it like {example}.").format(
                example=ctx.t.format_short_date(ctx.t.local_date(ctx.ports.clock.now()))
            )
        ) from None
    if day < ctx.t.local_date(ctx.ports.clock.now()):
        raise Invalid(ctx.t.gettext("That date has already passed."))
    ctx.state.data.pop("month", None)
    return day


def shown_day_month(ctx: Context, today: date) -> date:
    """The month the meeting calendar shows: the one turned to, within the next year."""
    month = date.fromisoformat(ctx.state.data.get("month", today.isoformat()))
    return shown_month(month, first=today, last=today + timedelta(days=DAYS_AHEAD))


def day_question(ctx: Context, text: str) -> Question:
    today = ctx.t.local_date(ctx.ports.clock.now())
    shown = shown_day_month(ctx, today)
    keyboard = month_keyboard(ctx.t, shown, first=today, last=today + timedelta(days=DAYS_AHEAD))
    hint = ctx.t.gettext("Type it (like {example}) or tap a day.").format(
        example=ctx.t.format_short_date(today)
    )
    return Question(f"{text}\n{hint}", keyboard, free_text=True, numeric=True)


def typed_moment(ctx: Context, answer: Answer, day: date) -> datetime:
    _ = ctx.t.gettext
    try:
        clock = ctx.t.parse_time(answer.data.removeprefix("time:") if answer.data else answer.text)
    except ValueError:
        raise Invalid(_("I could not read that time. Please write it like 18:30.")) from None
    try:
        moment = ctx.t.to_utc(day, clock)
    except ValueError:
        raise Invalid(
            _(
                "That time does not exist on this day, because the clocks are put "
                "forward. Please choose another time."
            )
        ) from None
    if moment <= ctx.ports.clock.now():
        raise Invalid(_("That time has already passed."))
    return moment


def time_question(ctx: Context, text: str) -> Question:
    return Question(
        text,
        rows(*(Choice(value, f"time:{value}") for value in TIMES), per_row=3),
        free_text=True,
        numeric=True,
    )


def typed_place(ctx: Context, answer: Answer) -> str:
    """An address or a link, within `MEETING_PLACE` (the engine checked the length)."""
    return one_line(answer.text)[: MEETING_PLACE.high]


class WhenAndWhereSteps:
    """Day, start time and place, typed or tapped: for planning a meeting and for changing it.
    The flow decides what follows the time (`on_time`) and the place (`on_place`)."""

    async def ask_day(self, ctx: Context) -> Question:
        return day_question(ctx, ctx.t.gettext("On which day?"))

    async def on_day(self, ctx: Context, answer: Answer) -> str:
        day = picked_day(ctx, answer)
        if day is None:
            return "day"
        ctx.state.data["day"] = day.isoformat()
        return "time"

    async def ask_time(self, ctx: Context) -> Question:
        return time_question(
            ctx, ctx.t.gettext("At what time does it start? Tap or type, like 18:30.")
        )

    async def ask_place(self, ctx: Context) -> Question:
        return Question(
            ctx.t.gettext("Where? Write the address, or the link of an online meeting."),
            free_text=True,
            limit=MEETING_PLACE,
        )


class NewMeeting(WhenAndWhereSteps, PlanSummarySteps, Flow):
    name = "new_meeting"
    first_step = "regions"
    permission = Permission.STAFF
    wizard = True
    summary_step = SUMMARY

    async def ask_regions(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        chosen = set(ctx.state.data.get("regions", []))
        regions = await ctx.ports.users.regions()
        buttons = [
            Choice(("✓ " if r.key in chosen else "") + r.name, f"region:{r.key}") for r in regions
        ]
        buttons.append(Choice(_("All regions"), "region:all"))
        if chosen:
            buttons.append(Choice(_("Done"), "region:done"))
        return Question(
            _("<b>New network meeting</b>\nFor which regions' groups? Tap one or more, then Done."),
            rows(*buttons, per_row=2),
        )

    async def on_regions(self, ctx: Context, answer: Answer) -> str:
        key = (answer.data or "").removeprefix("region:")
        if key == "done":
            return then(ctx, "title")
        regions = [r.key for r in await ctx.ports.users.regions()]
        chosen = list(ctx.state.data.get("regions", []))
        if key == "all":
            chosen = regions
        elif key in chosen:
            chosen.remove(key)
        else:
            chosen.append(key)
        ctx.state.data["regions"] = [r for r in regions if r in chosen]
        return "regions"

    async def ask_title(self, ctx: Context) -> Question:
        question = Question(
            ctx.t.gettext("What is the meeting called?"), free_text=True, limit=MEETING_TITLE
        )
        return keeping(ctx, question, ctx.state.data.get("title"))

    async def on_title(self, ctx: Context, answer: Answer) -> str:
        if answer.data == KEEP:
            return SUMMARY
        title = one_line(answer.text)
        if len(title) < MEETING_TITLE.low:
            raise Invalid(too_short(ctx.t, MEETING_TITLE))
        ctx.state.data["title"] = title
        return then(ctx, "agenda")

    async def ask_agenda(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        question = Question(
            _("What is on the agenda?"),
            rows(Choice(_("Skip"), SKIP)),
            free_text=True,
            limit=MEETING_AGENDA,
        )
        return keeping(ctx, question, ctx.state.data.get("agenda"))

    async def on_agenda(self, ctx: Context, answer: Answer) -> str:
        if answer.data == KEEP:
            return SUMMARY
        ctx.state.data["agenda"] = None if answer.data == SKIP else answer.text
        return then(ctx, "day")

    async def on_time(self, ctx: Context, answer: Answer) -> str:
        moment = typed_moment(ctx, answer, date.fromisoformat(ctx.state.data["day"]))
        ctx.state.data["starts_at"] = moment.isoformat()
        return then(ctx, "duration")

    async def ask_duration(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        return Question(
            _("How long will it take?"),
            rows(
                *(
                    Choice(
                        ctx.t.ngettext("{count} minute", "{count} minutes", minutes).format(
                            count=ctx.t.format_number(minutes)
                        ),
                        f"duration:{minutes}",
                    )
                    for minutes in DURATIONS
                ),
                per_row=2,
            ),
        )

    async def on_duration(self, ctx: Context, answer: Answer) -> str:
        ctx.state.data["duration"] = int((answer.data or "").removeprefix("duration:"))
        return then(ctx, "place")

    async def ask_place(self, ctx: Context) -> Question:
        return keeping(ctx, await super().ask_place(ctx), ctx.state.data.get("place"))

    async def on_place(self, ctx: Context, answer: Answer) -> str:
        if answer.data == KEEP:
            return SUMMARY
        ctx.state.data["place"] = typed_place(ctx, answer)
        return then(ctx, "capacity")

    async def ask_capacity(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        capacity = ctx.state.data.get("capacity")
        question = Question(
            _("How many places are there?"),
            rows(Choice(_("No limit"), SKIP)),
            free_text=True,
            numeric=True,
        )
        return keeping(ctx, question, None if capacity is None else ctx.t.format_number(capacity))

    async def on_capacity(self, ctx: Context, answer: Answer) -> str:
        if answer.data == KEEP:
            return SUMMARY
        if answer.data == SKIP:
            ctx.state.data["capacity"] = None
        else:
            capacity = typed_count(ctx, answer)
            if capacity < 1:
                raise Invalid(ctx.t.gettext("Please write a whole number, like 12."))
            ctx.state.data["capacity"] = capacity
        return then(ctx, "languages")

    async def ask_languages(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        question = Question(
            _("Which languages are spoken, or is interpretation offered?"),
            rows(Choice(_("Skip"), SKIP)),
            free_text=True,
            limit=MEETING_LANGUAGES,
        )
        return keeping(ctx, question, ctx.state.data.get("languages"))

    async def on_languages(self, ctx: Context, answer: Answer) -> str:
        if answer.data == KEEP:
            return SUMMARY
        languages = one_line(answer.text)
        ctx.state.data["languages"] = None if answer.data == SKIP else languages
        return then(ctx, "deadline")

    async def ask_deadline(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        return Question(
            _("Until when can people answer?"),
            rows(
                Choice(_("Until the start"), "deadline:0"),
                Choice(_("One day before"), "deadline:1"),
                Choice(_("Three days before"), "deadline:3"),
            ),
        )

    async def on_deadline(self, ctx: Context, answer: Answer) -> str:
        ctx.state.data["deadline_days"] = int((answer.data or "").removeprefix("deadline:"))
        return then(ctx, "newcomers")

    async def ask_newcomers(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        return Question(
            _("Are newcomers invited too?"),
            rows(
                Choice(_("Yes, newcomers are welcome"), "newcomers:yes"),
                Choice(_("No, only the group's volunteers"), "newcomers:no"),
            ),
        )

    async def on_newcomers(self, ctx: Context, answer: Answer) -> str:
        ctx.state.data["newcomers"] = answer.data == "newcomers:yes"
        return SUMMARY


async def run_new_meeting(ctx: Context) -> None:
    await ctx.engine.start_flow(ctx, NewMeeting.name)
