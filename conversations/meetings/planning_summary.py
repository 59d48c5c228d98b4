"""The end of /newmeeting: everything planned at one glance with a button to change each part
(which asks that part again and comes back here), then the invitation as members will see it,
and publishing it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from html import escape
from typing import Any

from conversations.flow import Answer, Context, Question
from conversations.limits import shortened
from conversations.markers import N_
from conversations.meetings.ports import MeetingDraft, MeetingView
from conversations.meetings.texts import invitation
from conversations.messages import Choice, rows
from conversations.ports import RegionView, Translator
from conversations.summary import CHANGE, part_to_change, summary_question

SHOWN = 300  # characters of a long text (the agenda) in the summary; the preview shows it whole
# The summary's "change" buttons: which step each asks again.
EDITS = (
    ("title", N_("Title")),
    ("regions", N_("Groups")),
    ("agenda", N_("Agenda")),
    ("day", N_("Date")),
    ("time", N_("Start time")),
    ("duration", N_("Duration")),
    ("place", N_("Place")),
    ("capacity", N_("Places")),
    ("languages", N_("Languages")),
    ("deadline", N_("Answers until")),
    ("newcomers", N_("Newcomers")),
)


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


def preview_view(data: dict[str, Any], regions: Sequence[RegionView]) -> MeetingView:
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


def describe_plan(t: Translator, meeting: MeetingView) -> str:
    """Every answer of the wizard, those left out too, each typed text escaped."""
    _ = t.gettext
    if meeting.online_link:
        where = _("Online: {link}").format(link=escape(meeting.online_link))
    else:
        where = _("Where: {place}").format(place=escape(meeting.place or ""))
    capacity = _("No limit") if meeting.capacity is None else t.format_number(meeting.capacity)
    if meeting.rsvp_deadline is None:
        deadline = _("People can answer until the start.")
    else:
        deadline = _("Please answer by {deadline}.").format(
            deadline=t.format_datetime(meeting.rsvp_deadline)
        )
    return "\n".join(
        [
            f"<b>{escape(meeting.title)}</b>",
            _("For the groups of: {regions}").format(
                regions=escape(", ".join(meeting.region_names))
            ),
            _("When: {start}, until {end}").format(
                start=t.format_datetime(meeting.starts_at), end=t.format_time(meeting.ends_at)
            ),
            where,
            _("Agenda: {agenda}").format(
                agenda=shortened(t, meeting.agenda, SHOWN) if meeting.agenda else _("none")
            ),
            _("Places: {capacity}").format(capacity=capacity),
            _("Languages: {languages}").format(
                languages=escape(meeting.languages) if meeting.languages else _("none")
            ),
            deadline,
            _("Newcomers are welcome.")
            if meeting.newcomers_invited
            else _("Only the group's volunteers are invited."),
        ]
    )


class PlanSummarySteps:
    """The summary with its change buttons, the invitation's preview, and publishing."""

    async def ask_summary(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        meeting = preview_view(ctx.state.data, await ctx.ports.users.regions())
        buttons = [Choice("✎ " + _(label), CHANGE + step) for step, label in EDITS]
        text = _("<b>New network meeting</b>") + "\n\n" + describe_plan(ctx.t, meeting)
        return summary_question(ctx, text, buttons)

    async def on_summary(self, ctx: Context, answer: Answer) -> str:
        return part_to_change(ctx, answer.data) or "preview"

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
