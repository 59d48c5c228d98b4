"""What a question looks like: the staff's notice (edited as it moves on), the answer under its
heading in the person's language, and the files that follow them."""

from __future__ import annotations

from html import escape

from conversations.markers import N_
from conversations.messages import Attachment, Choice, Reply, rows
from conversations.office.ports import CloseReason, QuestionView, Status, ThreadMessage
from conversations.ports import Role, Translator

ROLES = {
    Role.VOLUNTEER: N_("volunteer"),
    Role.NEWCOMER: N_("newcomer"),
    Role.STAFF: N_("staff"),
}
REASONS = {
    CloseReason.SOLVED: N_("solved"),
    CloseReason.ANSWERED: N_("answered elsewhere"),
    CloseReason.DUPLICATE: N_("a duplicate"),
    CloseReason.OTHER: N_("other reason"),
}


def staff_buttons(t: Translator, question: QuestionView) -> tuple[tuple[Choice, ...], ...]:
    _ = t.gettext
    if question.status in (Status.SOLVED, Status.CLOSED):
        return ()
    take = (Choice(_("Take it"), f"qtake:{question.id}"),)
    return rows(
        *(take if question.status is Status.OPEN else ()),
        Choice(_("Answer"), f"qanswer:{question.id}"),
        Choice(_("Close"), f"qclose:{question.id}"),
        per_row=3,
    )


def asker(t: Translator, question: QuestionView) -> str:
    _ = t.gettext
    return _("From {name} ({role}), region {region}, language: {language}").format(
        name=escape(question.asker_name or "?"),
        role=_(ROLES[question.asker_role]) if question.asker_role else "–",
        region=escape(question.region_name or "–"),
        language=t.language_name(question.locale),
    )


def status_line(t: Translator, question: QuestionView) -> str:
    _ = t.gettext
    name = escape(question.taken_by_name or "?")
    if question.status is Status.TAKEN:
        return _("Taken by {name}.").format(name=name)
    if question.status is Status.ANSWERED:
        return _("Answered by {name}.").format(name=name)
    if question.status is Status.SOLVED:
        return _("Solved, says the person.")
    if question.status is Status.CLOSED and question.closed_reason is not None:
        return _("Closed: {reason}.").format(reason=_(REASONS[question.closed_reason]))
    return _("Nobody has taken it yet.")


def message_text(t: Translator, message: ThreadMessage) -> str:
    text = f"<blockquote>{escape(message.text)}</blockquote>" if message.text else ""
    if message.attachment is not None:
        text += ("\n" if text else "") + t.gettext("[a file, sent below]")
    return text


def staff_notice(t: Translator, question: QuestionView) -> Reply:
    """The notice of a question to staff: who asks, the question, what became of it."""
    _ = t.gettext
    files = len(question.files)
    lines = [
        "<b>" + _("Question {reference}").format(reference=question.reference) + "</b>",
        asker(t, question),
        message_text(t, question.question),
    ]
    if files:
        lines.append(
            t.ngettext("{count} file, sent below.", "{count} files, sent below.", files).format(
                count=t.format_number(files)
            )
        )
    lines.append("<i>" + status_line(t, question) + "</i>")
    return Reply("\n".join(line for line in lines if line), staff_buttons(t, question))


def staff_file(t: Translator, question: QuestionView, attachment: Attachment) -> Reply:
    return Reply(
        t.gettext("A file with question {reference}:").format(reference=question.reference),
        forward=attachment,
    )


def staff_reply(t: Translator, question: QuestionView) -> Reply:
    """The person's reply to an answer, to the staff member who took the question."""
    _ = t.gettext
    latest = question.messages[-1]
    return Reply(
        _("<b>{name} replied to question {reference}:</b>").format(
            name=escape(question.asker_name or "?"), reference=question.reference
        )
        + "\n"
        + message_text(t, latest),
        staff_buttons(t, question),
    )


def answer_to_person(t: Translator, question: QuestionView) -> Reply:
    """The staff's latest answer under a heading in the person's language."""
    _ = t.gettext
    latest = question.messages[-1]
    return Reply(
        "<b>"
        + _("Answer from the district office to your question {reference}").format(
            reference=question.reference
        )
        + "</b>\n"
        + (escape(latest.text) if latest.text else ""),
        rows(
            Choice(_("Reply"), f"qreply:{question.id}"),
            Choice(_("Solved, thank you"), f"qsolved:{question.id}"),
            per_row=2,
        ),
        forward=latest.attachment,
    )


def closed_to_person(t: Translator, question: QuestionView) -> Reply:
    _ = t.gettext
    reason = question.closed_reason or CloseReason.OTHER
    return Reply(
        _("The district office closed your question {reference} ({reason}).").format(
            reference=question.reference, reason=_(REASONS[reason])
        )
        + "\n"
        + _("If you still need help, you can ask again with /ask.")
    )
