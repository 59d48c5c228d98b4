"""How a meeting reads in an invitation, a list, a change notice; the answer buttons."""

from __future__ import annotations

from html import escape

from conversations.meetings.ports import MeetingView
from conversations.messages import Choice, Document, Reply
from conversations.ports import Translator


def describe_meeting(t: Translator, meeting: MeetingView, *, counts: bool = False) -> str:
    _ = t.gettext
    lines = [
        f"<b>{escape(meeting.title)}</b>",
        _("When: {start}, until {end}").format(
            start=t.format_datetime(meeting.starts_at), end=t.format_time(meeting.ends_at)
        ),
    ]
    if meeting.place:
        lines.append(_("Where: {place}").format(place=escape(meeting.place)))
    if meeting.online_link:
        link = escape(meeting.online_link, quote=True)
        lines.append(_("Online: {link}").format(link=f'<a href="{link}">{link}</a>'))
    lines.append(
        _("For the groups of: {regions}").format(regions=escape(", ".join(meeting.region_names)))
    )
    if meeting.agenda:
        lines.append(_("Agenda: {agenda}").format(agenda=escape(meeting.agenda)))
    if meeting.languages:
        lines.append(_("Languages: {languages}").format(languages=escape(meeting.languages)))
    if meeting.capacity is not None:
        lines.append(_("Places: {capacity}").format(capacity=t.format_number(meeting.capacity)))
    if meeting.rsvp_deadline is not None:
        lines.append(
            _("Please answer by {deadline}.").format(
                deadline=t.format_datetime(meeting.rsvp_deadline)
            )
        )
    if meeting.newcomers_invited:
        lines.append(_("Newcomers are welcome."))
    if counts:
        lines.append(
            _("Yes: {yes} (+{guests} guests), maybe: {maybe}, no: {no}, waiting: {waiting}").format(
                yes=t.format_number(meeting.yes),
                guests=t.format_number(meeting.guests),
                maybe=t.format_number(meeting.maybe),
                no=t.format_number(meeting.no),
                waiting=t.format_number(meeting.waiting),
            )
        )
    if meeting.my_answer:
        lines.append(my_answer(t, meeting))
    return "\n".join(lines)


def my_answer(t: Translator, meeting: MeetingView) -> str:
    _ = t.gettext
    if meeting.my_answer == "yes":
        if meeting.my_guests:
            return t.ngettext(
                "Your answer: yes, with {count} guest.",
                "Your answer: yes, with {count} guests.",
                meeting.my_guests,
            ).format(count=t.format_number(meeting.my_guests))
        return _("Your answer: yes.")
    if meeting.my_answer == "waiting":
        return _("You are number {position} on the waiting list.").format(
            position=t.format_number(meeting.my_position or 0)
        )
    if meeting.my_answer == "maybe":
        return _("Your answer: maybe.")
    return _("Your answer: no.")


def answer_buttons(t: Translator, meeting: MeetingView) -> tuple[tuple[Choice, ...], ...]:
    _ = t.gettext
    return (
        (
            Choice(_("Yes"), f"rsvp:{meeting.id}:yes"),
            Choice(_("Maybe"), f"rsvp:{meeting.id}:maybe"),
            Choice(_("No"), f"rsvp:{meeting.id}:no"),
        ),
    )


def invitation(t: Translator, meeting: MeetingView) -> Reply:
    _ = t.gettext
    return Reply(
        _("You are invited to a network meeting:")
        + "\n\n"
        + describe_meeting(t, meeting)
        + "\n\n"
        + _("Will you come?"),
        answer_buttons(t, meeting),
    )


def moved_up(t: Translator, meeting: MeetingView, calendar: Document) -> Reply:
    return Reply(
        t.gettext(
            "A place has become free: you can come to “{title}” on {start}. "
            "Here is the calendar file."
        ).format(title=escape(meeting.title), start=t.format_datetime(meeting.starts_at)),
        document=calendar,
    )


def changed(t: Translator, meeting: MeetingView, calendar: Document) -> Reply:
    _ = t.gettext
    if meeting.status == "cancelled":
        text = _("The meeting “{title}” on {start} has been cancelled: {reason}").format(
            title=escape(meeting.title),
            start=t.format_datetime(meeting.starts_at),
            reason=escape(meeting.cancel_reason or ""),
        )
    else:
        text = (
            _("The meeting has changed. Here is the new calendar file.")
            + "\n\n"
            + describe_meeting(t, meeting)
        )
    return Reply(text, document=calendar)


def reminder(t: Translator, meeting: MeetingView, hours: int) -> Reply:
    return Reply(
        t.ngettext(
            "Reminder: “{title}” starts in {count} hour, at {start}.",
            "Reminder: “{title}” starts in {count} hours, at {start}.",
            hours,
        ).format(
            title=escape(meeting.title),
            count=t.format_number(hours),
            start=t.format_time(meeting.starts_at),
        )
        + "\n"
        + describe_meeting(t, meeting)
    )
