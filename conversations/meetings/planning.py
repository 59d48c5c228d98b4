"""/newmeeting for staff: regions, title, agenda, date and time, place, capacity, languages,
deadline, newcomers; a preview; publishing invites every member in their own language."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

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
from conversations.meetings.ports import MeetingDraft, MeetingView
from conversations.meetings.texts import invitation
from conversations.messages import Choice, rows
from conversations.roles import Permission

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


class NewMeeting(WhenAndWhereSteps, Flow):
    name = "new_meeting"
    first_step = "regions"
    permission = Permission.STAFF

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
            return "title"
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
        return Question(
            ctx.t.gettext("What is the meeting called?"), free_text=True, limit=MEETING_TITLE
        )

    async def on_title(self, ctx: Context, answer: Answer) -> str:
        title = one_line(answer.text)
        if len(title) < MEETING_TITLE.low:
            raise Invalid(too_short(ctx.t, MEETING_TITLE))
        ctx.state.data["title"] = title
        return "agenda"

    async def ask_agenda(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        return Question(
            _("What is on the agenda?"),
            rows(Choice(_("Skip"), SKIP)),
            free_text=True,
            limit=MEETING_AGENDA,
        )

    async def on_agenda(self, ctx: Context, answer: Answer) -> str:
        ctx.state.data["agenda"] = None if answer.data == SKIP else answer.text
        return "day"

    async def on_time(self, ctx: Context, answer: Answer) -> str:
        moment = typed_moment(ctx, answer, date.fromisoformat(ctx.state.data["day"]))
        ctx.state.data["starts_at"] = moment.isoformat()
        return "duration"

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
        return "place"

    async def on_place(self, ctx: Context, answer: Answer) -> str:
        ctx.state.data["place"] = typed_place(ctx, answer)
        return "capacity"

    async def ask_capacity(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        return Question(
            _("How many places are there?"),
            rows(Choice(_("No limit"), SKIP)),
            free_text=True,
            numeric=True,
        )

    async def on_capacity(self, ctx: Context, answer: Answer) -> str:
        if answer.data == SKIP:
            ctx.state.data["capacity"] = None
        else:
            capacity = typed_count(ctx, answer)
            if capacity < 1:
                raise Invalid(ctx.t.gettext("Please write a whole number, like 12."))
            ctx.state.data["capacity"] = capacity
        return "languages"

    async def ask_languages(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        return Question(
            _("Which languages are spoken, or is interpretation offered?"),
            rows(Choice(_("Skip"), SKIP)),
            free_text=True,
            limit=MEETING_LANGUAGES,
        )

    async def on_languages(self, ctx: Context, answer: Answer) -> str:
        languages = one_line(answer.text)
        ctx.state.data["languages"] = None if answer.data == SKIP else languages
        return "deadline"

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
        return "newcomers"

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
        return "preview"

    async def ask_preview(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        preview = preview_view(ctx.state.data, await ctx.ports.users.regions())
        return Question(
            _("This is how the invitation will look:") + "\n\n" + invitation(ctx.t, preview).text,
            rows(
                Choice(_("Publish and invite"), "preview:publish"),
                Choice(_("Start again"), "preview:again"),
            ),
        )

    async def on_preview(self, ctx: Context, answer: Answer) -> str | None:
        _ = ctx.t.gettext
        if answer.data == "preview:again":
            ctx.state.data.clear()
            return "regions"
        meeting = await ctx.ports.meetings.create(draft_of(ctx.state.data))
        invitees = await ctx.ports.meetings.invitees(meeting.id)
        for user_id in invitees:
            await ctx.ports.notifications.to_user(
                user_id,
                f"meeting:{meeting.id}:invite",
                partial(invitation, meeting=meeting),
                expires_at=meeting.starts_at,
                bulk=True,
            )
        ctx.say(
            ctx.t.ngettext(
                "Published. {count} person has been invited.",
                "Published. {count} people have been invited.",
                len(invitees),
            ).format(count=ctx.t.format_number(len(invitees)))
        )
        await ctx.engine.show_menu(ctx)
        return None


def draft_of(data: dict[str, Any]) -> MeetingDraft:
    place = str(data["place"])
    online = place.startswith(("https://", "http://"))
    starts_at = datetime.fromisoformat(data["starts_at"])
    days = int(data.get("deadline_days", 0))
    return MeetingDraft(
        region_keys=list(data["regions"]),
        title=data["title"],
        agenda=data.get("agenda"),
        starts_at=starts_at,
        duration_minutes=int(data["duration"]),
        place=None if online else place,
        online_link=place if online else None,
        capacity=data.get("capacity"),
        languages=data.get("languages"),
        rsvp_deadline=starts_at - timedelta(days=days) if days else None,
        newcomers_invited=bool(data.get("newcomers")),
    )


def preview_view(data: dict[str, Any], regions: Any) -> MeetingView:
    draft = draft_of(data)
    names = [r.name for r in regions if r.key in draft.region_keys]
    return MeetingView(
        id=0,
        title=draft.title,
        agenda=draft.agenda,
        starts_at=draft.starts_at,
        duration_minutes=draft.duration_minutes,
        place=draft.place,
        online_link=draft.online_link,
        capacity=draft.capacity,
        languages=draft.languages,
        rsvp_deadline=draft.rsvp_deadline,
        newcomers_invited=draft.newcomers_invited,
        status="draft",
        sequence=0,
        region_names=names,
    )


async def run_new_meeting(ctx: Context) -> None:
    await ctx.engine.start_flow(ctx, NewMeeting.name)
