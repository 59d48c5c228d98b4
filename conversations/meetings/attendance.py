"""/attendees for staff: who answered what, the list as a file, and who came."""

from __future__ import annotations

from html import escape

from conversations.flow import Answer, Context, Flow, Question, command_choice
from conversations.messages import Choice, Document, rows
from conversations.roles import Permission


class Attendees(Flow):
    name = "attendees"
    first_step = "choose"
    permission = Permission.STAFF

    async def ask_choose(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        meetings = await ctx.ports.meetings.recent_and_upcoming()
        if not meetings:
            return Question(
                _("There are no meetings of the last two months or coming up."),
                ((command_choice(_("Main menu"), "menu"),),),
            )
        return Question(
            _("Which meeting?"),
            rows(
                *(
                    Choice(f"{ctx.t.format_date(m.starts_at)} · {m.title[:40]}", f"meeting:{m.id}")
                    for m in meetings[-30:]
                )
            ),
        )

    async def on_choose(self, ctx: Context, answer: Answer) -> str:
        ctx.state.data["meeting_id"] = int((answer.data or "").removeprefix("meeting:"))
        return "list"

    async def ask_list(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        meeting_id = int(ctx.state.data["meeting_id"])
        meeting = await ctx.ports.meetings.get(meeting_id)
        assert meeting is not None
        attendees = await ctx.ports.meetings.attendees(meeting_id)
        labels = {"yes": _("Yes"), "maybe": _("Maybe"), "no": _("No"), "waiting": _("Waiting list")}
        lines = [
            f"<b>{escape(meeting.title)}</b> – {ctx.t.format_datetime(meeting.starts_at)}",
            _("Yes: {yes} (+{guests} guests), maybe: {maybe}, no: {no}, waiting: {waiting}").format(
                yes=ctx.t.format_number(meeting.yes),
                guests=ctx.t.format_number(meeting.guests),
                maybe=ctx.t.format_number(meeting.maybe),
                no=ctx.t.format_number(meeting.no),
                waiting=ctx.t.format_number(meeting.waiting),
            ),
        ]
        for answer in ("yes", "waiting", "maybe", "no"):
            names = [
                escape(a.name) + (f" (+{ctx.t.format_number(a.guests)})" if a.guests else "")
                for a in attendees
                if a.answer == answer
            ]
            if names:
                lines.append(f"{labels[answer]}: " + ", ".join(names))
        buttons = [Choice(_("As a spreadsheet file"), "list:file")]
        if meeting.starts_at <= ctx.ports.clock.now():
            buttons.append(Choice(_("Mark who came"), "list:mark"))
        buttons.append(Choice(_("Other meeting"), "list:back"))
        return Question("\n".join(lines), rows(*buttons))

    async def on_list(self, ctx: Context, answer: Answer) -> str | None:
        _ = ctx.t.gettext
        if answer.data == "list:back":
            return "choose"
        if answer.data == "list:mark":
            return "mark"
        meeting_id = int(ctx.state.data["meeting_id"])
        ctx.say(
            _("The answers as a spreadsheet file."),
            document=Document(
                name=f"gemeinsam-meeting-{meeting_id}-attendees.csv",
                mime_type="text/csv",
                content=await ctx.ports.meetings.attendance_csv(meeting_id),
            ),
        )
        return "list"

    async def ask_mark(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        attendees = await ctx.ports.meetings.attendees(int(ctx.state.data["meeting_id"]))
        buttons = [
            Choice(("✓ " if a.attended else "") + a.name[:40], f"came:{a.user_id}")
            for a in attendees
            if a.answer in ("yes", "maybe", "waiting")
        ]
        return Question(
            _("Tap everyone who came; tap again to undo."),
            rows(*buttons, Choice(_("Done"), "came:done"), per_row=2),
        )

    async def on_mark(self, ctx: Context, answer: Answer) -> str:
        value = (answer.data or "").removeprefix("came:")
        if value == "done":
            return "list"
        meeting_id = int(ctx.state.data["meeting_id"])
        attendees = await ctx.ports.meetings.attendees(meeting_id)
        person = next(a for a in attendees if a.user_id == int(value))
        await ctx.ports.meetings.mark_attended(
            meeting_id, person.user_id, not bool(person.attended)
        )
        return "mark"


async def run_attendees(ctx: Context) -> None:
    await ctx.engine.start_flow(ctx, Attendees.name)
