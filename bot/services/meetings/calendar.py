"""iCalendar files (RFC 5545) for meetings: one stable UID per meeting, SEQUENCE raised on each
change, times in Europe/Berlin with their time zone, and METHOD:CANCEL for a cancellation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.db.models import Meeting

UID_DOMAIN = "gemeinsam.kreis-lup.de"


def meeting_uid(meeting_id: int) -> str:
    return f"meeting-{meeting_id}@{UID_DOMAIN}"


def calendar_time(moment: datetime, tz: ZoneInfo) -> datetime:
    """Local time with its zone, as people read it; but UTC in the hour that occurs twice when
    the clocks go back, because a local time there means its first occurrence (RFC 5545 3.3.5)."""
    local = moment.astimezone(tz)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return moment.astimezone(UTC)
    return local


def meeting_ics(meeting: Meeting, *, tz: ZoneInfo, now: datetime, region_names: list[str]) -> bytes:
    cancelled = meeting.status == "cancelled"
    calendar = Calendar()
    calendar.add("prodid", "-//Landkreis Ludwigslust-Parchim//Gemeinsam//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", meeting_uid(meeting.id))
    event.add("dtstamp", now)
    # The end is the start plus the duration in real time: across a change of the clocks, adding
    # it to the local wall time would be an hour off.
    ends_at = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
    event.add("dtstart", calendar_time(meeting.starts_at, tz))
    event.add("dtend", calendar_time(ends_at, tz))
    event.add("summary", meeting.title)
    description = [meeting.agenda or "", ", ".join(region_names)]
    if meeting.languages:
        description.append(meeting.languages)
    event.add("description", "\n\n".join(part for part in description if part))
    if meeting.place:
        event.add("location", meeting.place)
    if meeting.online_link:
        event.add("url", meeting.online_link)
    event.add("sequence", meeting.sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
