"""Questions waiting for the office: the reminder a staff member gets at the start of a working
day (late ones, and those that came in while the office was closed), and the one message to the
person that the answer is taking longer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from conversations.messages import Choice, Reply, rows
from conversations.ports import Translator


@dataclass(frozen=True)
class WaitingQuestion:
    """A question one staff member is reminded of: late (past the promised time), or come in
    while the office was closed and not taken since."""

    id: int
    reference: str
    asked_at: datetime
    late: bool
    yours: bool  # this staff member took it; else nobody has


def staff_reminder(t: Translator, questions: Sequence[WaitingQuestion], *, now: datetime) -> Reply:
    """The questions (oldest first) with their age; each a line and a button, in one message."""
    heading = t.ngettext(
        "{count} question waits for an answer:",
        "{count} questions wait for an answer:",
        len(questions),
    ).format(count=t.format_number(len(questions)))
    lines = [f"<b>{heading}</b>", ""]
    today = t.local_date(now)
    for question in questions:
        asked = t.local_date(question.asked_at)
        days = (today - asked).days
        if not question.late:
            line = t.gettext("{reference}, asked {day} while the office was closed.")
        elif question.yours:
            line = t.ngettext(
                "{reference}, asked {day}, {count} day ago: you took it, the answer is late.",
                "{reference}, asked {day}, {count} days ago: you took it, the answer is late.",
                days,
            )
        else:
            line = t.ngettext(
                "{reference}, asked {day}, {count} day ago: nobody has taken it, the answer "
                "is late.",
                "{reference}, asked {day}, {count} days ago: nobody has taken it, the answer "
                "is late.",
                days,
            )
        day = t.format_day(asked)
        count = t.format_number(days)
        lines.append("• " + line.format(reference=question.reference, day=day, count=count))
    lines += ["", t.gettext("Press a question to see it, take it and answer.")]
    # The same buttons as /questions: each opens the thread with what staff can do now.
    choices = [Choice(question.reference, f"qshow:{question.id}") for question in questions]
    return Reply("\n".join(lines), rows(*choices, per_row=3))


def taking_longer(t: Translator, *, reference: str, promised_days: int) -> Reply:
    return Reply(
        t.ngettext(
            "Your question {reference} is taking longer than the {count} working day we "
            "promised. The office has been reminded and will answer as soon as it can. "
            "Thank you for your patience.",
            "Your question {reference} is taking longer than the {count} working days we "
            "promised. The office has been reminded and will answer as soon as it can. "
            "Thank you for your patience.",
            promised_days,
        ).format(reference=reference, count=t.format_number(promised_days))
    )
