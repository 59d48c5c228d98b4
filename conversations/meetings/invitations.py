"""/meetings and the answers to invitations: yes (with guests), maybe, no, the waiting list,
the calendar file; for staff also the changes of a meeting."""

from __future__ import annotations

from datetime import date
from html import escape

from conversations.flow import Answer, Context, Flow, Invalid, Question, command_choice
from conversations.limits import MEETING_MESSAGE, record_id
from conversations.meetings.planning import WhenAndWhereSteps, typed_moment, typed_place
from conversations.meetings.ports import MeetingRuleError, MeetingView
from conversations.meetings.texts import answer_buttons, changed, describe_meeting, moved_up
from conversations.messages import Choice, rows
from conversations.ports import Translator
from conversations.roles import Permission, allows

GUESTS = range(6)  # how many guests one may bring: the buttons offer these
TOLD = ("yes", "maybe", "waiting")  # the answers of those told when a meeting changes


def refusal(t: Translator, error: MeetingRuleError) -> str:
    _ = t.gettext
    return {
        "cancelled": _("This meeting has been cancelled."),
        "started": _("This meeting has already begun."),
        "deadline": _("The time to answer has run out."),
        "not_invited": _("This meeting is not for your group."),
        "no_room_for_guests": _(
            "There is not enough room for that many guests. Your own place stays reserved."
        ),
        "not_found": _("This meeting no longer exists."),
        "in_the_past": _("That time has already passed."),
        "not_staff": _("Sorry, only staff of the district office can do that."),
    }[error.code]


def meeting_buttons(ctx: Context, meeting: MeetingView) -> tuple[tuple[Choice, ...], ...]:
    _ = ctx.t.gettext
    buttons = answer_buttons(ctx.t, meeting)
    if meeting.my_answer == "yes":
        buttons = (*buttons, (Choice(_("Bring guests"), f"guests:{meeting.id}:ask"),))
    if allows(ctx.user, Permission.STAFF):
        buttons = (
            *buttons,
            (
                Choice(_("Change or cancel"), f"meetedit:{meeting.id}"),
                command_choice(_("Attendees"), "attendees"),
            ),
        )
    return buttons


async def run_meetings(ctx: Context) -> None:
    _ = ctx.t.gettext
    meetings = await ctx.ports.meetings.upcoming()
    if not meetings:
        ctx.say(
            _("There are no meetings coming up for your groups."),
            ((command_choice(_("Main menu"), "menu"),),),
        )
        return
    for meeting in meetings[:10]:
        ctx.say(
            describe_meeting(ctx.t, meeting, counts=allows(ctx.user, Permission.STAFF)),
            meeting_buttons(ctx, meeting),
        )


async def answer_invitation(ctx: Context, args: list[str]) -> None:
    """`rsvp:<meeting>:<yes|maybe|no>` from an invitation or a list, whatever else is open."""
    meeting_id, answer = record_id(args[0]), args[1]
    await record(ctx, meeting_id, answer, guests=None)


async def choose_guests(ctx: Context, args: list[str]) -> None:
    """`guests:<meeting>:ask` shows the choice, `guests:<meeting>:<n>` records it."""
    _ = ctx.t.gettext
    meeting_id = record_id(args[0])
    if args[1] == "ask":
        ctx.say(
            _("How many guests will you bring?"),
            rows(
                *(Choice(ctx.t.format_number(n), f"guests:{meeting_id}:{n}") for n in GUESTS),
                per_row=6,
            ),
        )
        return
    guests = int(args[1]) if args[1].isascii() and args[1].isdigit() else -1
    if guests not in GUESTS:
        raise ValueError(f"not a number of guests: {args[1][:20]!r}")
    await record(ctx, meeting_id, "yes", guests=guests)


async def record(ctx: Context, meeting_id: int, answer: str, *, guests: int | None) -> None:
    _ = ctx.t.gettext
    try:
        outcome = await ctx.ports.meetings.answer(meeting_id, answer, guests)
    except MeetingRuleError as error:
        ctx.say(refusal(ctx.t, error))
        return
    meeting = outcome.meeting
    if outcome.answer == "yes":
        ctx.say(
            _("See you there! Here is the calendar file for “{title}”.").format(
                title=escape(meeting.title)
            ),
            meeting_buttons(ctx, meeting),
            document=await ctx.ports.meetings.calendar_file(meeting_id),
        )
    elif outcome.answer == "waiting":
        ctx.say(
            _(
                "The meeting is full. You are number {position} on the waiting list; I will "
                "tell you when a place becomes free."
            ).format(position=ctx.t.format_number(outcome.position or 0)),
            meeting_buttons(ctx, meeting),
        )
    else:
        ctx.say(
            _("Thank you, your answer is saved: {answer}").format(
                answer=_("maybe") if outcome.answer == "maybe" else _("no")
            ),
            meeting_buttons(ctx, meeting),
        )
    if outcome.promoted:
        calendar = await ctx.ports.meetings.calendar_file(meeting_id)
        for user_id in outcome.promoted:
            await ctx.ports.notifications.to_user(
                user_id,
                f"meeting:{meeting_id}:moved-up:{ctx.ports.clock.now().timestamp():.0f}",
                lambda t: moved_up(t, meeting, calendar),
                expires_at=meeting.starts_at,
            )


class ChangeMeeting(WhenAndWhereSteps, Flow):
    """Staff change a meeting's time or place, or cancel it; who said yes or maybe is told."""

    name = "change_meeting"
    first_step = "choose"
    permission = Permission.STAFF

    async def meeting(self, ctx: Context) -> MeetingView:
        meeting = await ctx.ports.meetings.get(int(ctx.state.data["meeting_id"]))
        if meeting is None:
            raise Invalid(refusal(ctx.t, MeetingRuleError("not_found")))
        return meeting

    async def ask_choose(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        meeting = await self.meeting(ctx)
        return Question(
            describe_meeting(ctx.t, meeting, counts=True),
            rows(
                Choice(_("Change the time"), "change:time"),
                Choice(_("Change the place"), "change:place"),
                Choice(_("Cancel the meeting"), "change:cancel"),
                command_choice(_("Main menu"), "menu"),
            ),
        )

    async def on_choose(self, ctx: Context, answer: Answer) -> str:
        return {"change:time": "day", "change:place": "place"}.get(answer.data or "", "reason")

    async def on_time(self, ctx: Context, answer: Answer) -> str | None:
        moment = typed_moment(ctx, answer, date.fromisoformat(ctx.state.data["day"]))
        await self.apply(ctx, starts_at=moment)
        return None

    async def on_place(self, ctx: Context, answer: Answer) -> str | None:
        await self.apply(ctx, place=typed_place(ctx, answer))
        return None

    async def ask_reason(self, ctx: Context) -> Question:
        return Question(
            ctx.t.gettext("Why is the meeting cancelled? Everyone who answered will read this."),
            free_text=True,
            limit=MEETING_MESSAGE,
        )

    async def on_reason(self, ctx: Context, answer: Answer) -> str:
        ctx.state.data["cancel_reason"] = answer.text
        return "cancel"

    async def ask_cancel(self, ctx: Context) -> Question:
        """The last look before a cancellation, which cannot be undone."""
        _ = ctx.t.gettext
        meeting = await self.meeting(ctx)
        told = len(await ctx.ports.meetings.answered(meeting.id, TOLD))
        text = ctx.t.ngettext(
            "Cancel “{title}” on {date}? {count} person who answered will be told:\n{reason}",
            "Cancel “{title}” on {date}? {count} people who answered will be told:\n{reason}",
            told,
        ).format(
            title=escape(meeting.title),
            date=ctx.t.format_datetime(meeting.starts_at),
            count=ctx.t.format_number(told),
            reason=escape(str(ctx.state.data.get("cancel_reason", ""))),
        )
        return Question(
            text,
            rows(
                Choice(_("Yes, cancel the meeting"), "cancel:yes"),
                Choice(_("No, back"), "cancel:back"),
            ),
        )

    async def on_cancel(self, ctx: Context, answer: Answer) -> str | None:
        reason = str(ctx.state.data.pop("cancel_reason", ""))
        if answer.data != "cancel:yes":
            return "choose"  # nothing done: the meeting and its changes again
        try:
            await self.apply(ctx, cancel_reason=reason)
        except Invalid as refused:  # it began or was cancelled meanwhile
            ctx.say(refused.message)
            return "choose"
        return None

    async def apply(self, ctx: Context, **change: object) -> None:
        _ = ctx.t.gettext
        meetings = ctx.ports.meetings
        try:
            meeting = await meetings.change(int(ctx.state.data["meeting_id"]), **change)  # type: ignore[arg-type]
        except MeetingRuleError as error:
            raise Invalid(refusal(ctx.t, error)) from None
        calendar = await meetings.calendar_file(meeting.id)
        told = await meetings.answered(meeting.id, TOLD)
        for user_id in told:
            await ctx.ports.notifications.to_user(
                user_id,
                f"meeting:{meeting.id}:changed:{meeting.sequence}",
                lambda t: changed(t, meeting, calendar),
                expires_at=meeting.starts_at,
            )
        ctx.say(
            ctx.t.ngettext(
                "Saved. {count} person has been told.",
                "Saved. {count} people have been told.",
                len(told),
            ).format(count=ctx.t.format_number(len(told)))
        )
        await ctx.engine.show_menu(ctx)


async def change_meeting(ctx: Context, args: list[str]) -> None:
    """`meetedit:<meeting>`: staff open the change of a meeting."""
    if not allows(ctx.user, Permission.STAFF):
        ctx.say(ctx.t.gettext("Sorry, only staff of the district office can do that."))
        return
    await ctx.engine.start_flow(ctx, ChangeMeeting.name, {"meeting_id": record_id(args[0])})
