"""/mydata: everything stored about the person, in a message and as a file; their questions to
the office with each message cut to a few lines (the file holds them whole)."""

from __future__ import annotations

from html import escape

from conversations.flow import Context, command_choice
from conversations.languages import endonym
from conversations.limits import shortened
from conversations.markers import N_
from conversations.messages import rows
from conversations.people.data_file import personal_data_file
from conversations.people.ports import PersonalData, QuestionMessageData
from conversations.people.privacy import role_label

EXCERPT = 300  # characters of each message in the summary

STATUSES = {
    "open": N_("waiting for the district office"),
    "taken": N_("a staff member is working on it"),
    "answered": N_("answered"),
    "solved": N_("solved"),
    "closed": N_("closed by the district office"),
}
FILES = {
    "photo": N_("a photo"),
    "document": N_("a document"),
    "voice": N_("a voice message"),
}


def question_lines(ctx: Context, data: PersonalData) -> list[str]:
    if not data.questions:
        return []
    _ = ctx.t.gettext
    lines = [_("<b>Your questions to the district office</b>")]
    for question in data.questions:
        status = STATUSES.get(question.status)
        lines.append(
            _("{reference}, asked on {date}: {status}").format(
                reference=escape(question.reference),
                date=ctx.t.format_date(question.created_at),
                status=_(status) if status else escape(question.status),
            )
        )
        lines += [_message_line(ctx, message) for message in question.messages]
    return lines


def _message_line(ctx: Context, message: QuestionMessageData) -> str:
    _ = ctx.t.gettext
    file = FILES.get(message.file_kind or "")
    text = shortened(ctx.t, message.text, EXCERPT) if message.text else None
    if text and file:
        content = _("{text} (with {file})").format(text=text, file=_(file))
    else:
        content = text or (_(file) if file else "")
    when = ctx.t.format_datetime(message.created_at)
    if message.from_staff:
        return _("• District office, {time}: {text}").format(time=when, text=content)
    return _("• You, {time}: {text}").format(time=when, text=content)


async def run_mydata(ctx: Context) -> None:
    _ = ctx.t.gettext
    data = await ctx.ports.users.personal_data(ctx.user.id)
    not_given = _("not given")
    lines = [
        _("<b>What Gemeinsam stores about you</b>"),
        _("Chat address: {addresses}").format(addresses=escape(", ".join(data.addresses))),
        _("Name: {name}").format(name=escape(data.display_name or not_given)),
        _("Language: {language}").format(language=endonym(data.locale)),
        _("Role: {role}").format(role=role_label(ctx, data.role)),
        _("Region: {region}").format(region=escape(data.region_name or not_given)),
        _("First contact: {date}").format(date=ctx.t.format_datetime(data.created_at)),
        _("Privacy notice accepted: {date}").format(
            # TRANSLATORS: shown after "Privacy notice accepted:" when it was not accepted.
            date=ctx.t.format_datetime(data.consented_at) if data.consented_at else _("no")
        ),
    ]
    if data.privacy_version:
        lines.append(
            _("Version of the privacy notice: {version}").format(
                version=escape(data.privacy_version)
            )
        )
    if data.is_staff:
        lines.append(_("You are registered as staff of the district office."))
    if data.group_regions:
        lines.append(
            _("Groups whose meetings you are invited to: {regions}").format(
                regions=escape(", ".join(data.group_regions))
            )
        )
    if data.muted:
        lines.append(_("Announcements are turned off."))
    lines += _applications_lines(ctx, data)
    if data.meeting_answers:
        lines.append(
            ctx.t.ngettext(
                "{count} answer to a meeting invitation.",
                "{count} answers to meeting invitations.",
                len(data.meeting_answers),
            ).format(count=ctx.t.format_number(len(data.meeting_answers)))
        )
    if data.survey_answers:
        lines.append(
            ctx.t.ngettext(
                "{count} answer to a survey.",
                "{count} answers to surveys.",
                len(data.survey_answers),
            ).format(count=ctx.t.format_number(len(data.survey_answers)))
        )
    if data.open_conversation:
        lines.append(_("An unfinished conversation with your answers so far is saved."))
    lines += question_lines(ctx, data)
    lines.append(_("The attached file holds all of it, for other programs."))
    ctx.say(
        "\n".join(lines),
        ()
        if ctx.state.active
        else rows(
            command_choice(_("Delete my data"), "deletemydata"),
            command_choice(_("Main menu"), "menu"),
        ),
        document=personal_data_file(ctx.t, data, now=ctx.ports.clock.now()),
    )


def _applications_lines(ctx: Context, data: PersonalData) -> list[str]:
    _ = ctx.t.gettext
    lines = []
    for application in data.applications:
        title = escape(application.title or _("no title yet"))
        if application.is_funding_record:
            lines.append(
                _("Application {reference}: {title} (kept as a funding record).").format(
                    reference=escape(application.reference or ""), title=title
                )
            )
        else:
            lines.append(_("Application not sent yet: {title}.").format(title=title))
    return lines
