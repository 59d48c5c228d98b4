"""Privacy: the notice, /privacy and /deletemydata (erase it all); /mydata is in `my_data`."""

from __future__ import annotations

from html import escape

from conversations.flow import Answer, Context, Flow, Question, command_choice
from conversations.messages import Choice, rows
from conversations.people.ports import Erasure
from conversations.ports import Role

# The notice's version: raise it (to the day of the change) whenever its text below changes, and
# everyone who agreed to an earlier one is asked again at their next message.
PRIVACY_VERSION = "2026-11-29.2"
AGREE = "privacy:accept"
DECLINE = "privacy:decline"


def privacy_notice(ctx: Context) -> str:
    _ = ctx.t.gettext
    terms = ctx.ports.users.privacy_terms()
    kept = terms.retention
    return "\n\n".join(
        [
            _("<b>Privacy</b>"),
            _(
                "Gemeinsam is run by the office for equality, generations and diversity of "
                "Landkreis Ludwigslust-Parchim. To answer you it stores: your chat address, the "
                "name your messenger shows, your language, whether you volunteer or are new here, "
                "your region, and what you enter in the chat."
            ),
            _(
                "If you ask the district office a question (/ask), it also stores your question "
                "and the answers, with references to the photos, documents and voice messages in "
                "them (the files stay with your messenger), which staff member took it, and when "
                "each was sent."
            ),
            _(
                "This is used only to run Gemeinsam, for example to send you information and "
                "invitations for your region. It is not passed on to anyone outside the district "
                "office."
            ),
            _(
                "Responsible for your data: {name}, {address}, {email}. Its data protection "
                "officer: {dpo_name}, {dpo_address}, {dpo_email}."
            ).format(
                name=escape(terms.controller.name),
                address=escape(terms.controller.address),
                email=escape(terms.controller.email),
                dpo_name=escape(terms.dpo.name),
                dpo_address=escape(terms.dpo.address),
                dpo_email=escape(terms.dpo.email),
            ),
            _(
                "It is kept until you delete it. /mydata shows everything stored about you, and "
                "/deletemydata deletes it at once."
            ),
            "\n".join(
                [
                    _("What is no longer needed is deleted by itself:"),
                    ctx.t.ngettext(
                        "• a set-up that was not finished, after {count} day;",
                        "• a set-up that was not finished, after {count} days;",
                        kept.unfinished_signup_days,
                    ).format(count=ctx.t.format_number(kept.unfinished_signup_days)),
                    ctx.t.ngettext(
                        "• an application that was never sent, {count} day after its last change;",
                        "• an application that was never sent, {count} days after its last change;",
                        kept.draft_days,
                    ).format(count=ctx.t.format_number(kept.draft_days)),
                    ctx.t.ngettext(
                        "• everything about you, {count} day after Gemeinsam could no longer "
                        "reach you (for example because you blocked it);",
                        "• everything about you, {count} days after Gemeinsam could no longer "
                        "reach you (for example because you blocked it);",
                        kept.unreachable_days,
                    ).format(count=ctx.t.format_number(kept.unreachable_days)),
                    ctx.t.ngettext(
                        "• a question to the district office with its answers, {count} day after "
                        "it was solved or closed;",
                        "• a question to the district office with its answers, {count} days after "
                        "it was solved or closed;",
                        kept.questions_days,
                    ).format(count=ctx.t.format_number(kept.questions_days)),
                    ctx.t.ngettext(
                        "• the copy of a message sent to you, after {count} day.",
                        "• the copy of a message sent to you, after {count} days.",
                        kept.outbox_days,
                    ).format(count=ctx.t.format_number(kept.outbox_days)),
                ]
            ),
            _(
                "Applications for funding and project reports are part of the district's "
                "funding records; they are kept when you delete your other data."
            ),
            _("Version of this notice: {version}").format(version=PRIVACY_VERSION),
            _("Do you agree?"),
        ]
    )


def role_label(ctx: Context, role: Role | None) -> str:
    _ = ctx.t.gettext
    labels = {
        Role.VOLUNTEER: _("volunteer"),
        Role.NEWCOMER: _("newcomer"),
        Role.STAFF: _("staff of the district office"),
    }
    return labels[role] if role is not None else _("not chosen")


def agreement_choices(ctx: Context) -> tuple[tuple[Choice, ...], ...]:
    _ = ctx.t.gettext
    return rows(Choice(_("I agree"), AGREE), Choice(_("I do not agree"), DECLINE))


async def run_privacy(ctx: Context) -> None:
    _ = ctx.t.gettext
    notice = privacy_notice(ctx).rsplit("\n\n", 1)[0]  # without the closing question
    ctx.say(
        notice,
        ()
        if ctx.state.active
        else rows(
            command_choice(_("Show my data"), "mydata"),
            command_choice(_("Delete my data"), "deletemydata"),
            command_choice(_("Main menu"), "menu"),
        ),
    )


class DeleteData(Flow):
    name = "delete_data"
    first_step = "confirm"

    async def ask_confirm(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        data = await ctx.ports.users.personal_data(ctx.user.id)
        kept = [a.reference for a in data.applications if a.reference is not None]
        lines = [
            _(
                "Do you really want to delete everything Gemeinsam stores about you? "
                "This cannot be undone."
            ),
            _(
                "Deleted are: your profile (name, language, role, region), your chat addresses, "
                "your conversation, applications you never sent, your answers to meeting "
                "invitations and surveys, your questions to the district office with their "
                "answers, and the messages to you and about you."
            ),
        ]
        if kept:
            lines.append(
                ctx.t.ngettext(
                    "Your application {references} was sent to the district office: it stays "
                    "there as a funding record, with your name, organisation and contact "
                    "replaced by “deleted”.",
                    "Your applications {references} were sent to the district office: they stay "
                    "there as funding records, with your name, organisation and contact "
                    "replaced by “deleted”.",
                    len(kept),
                ).format(references=escape(", ".join(kept)))
            )
        return Question(
            "\n\n".join(lines),
            rows(
                Choice(_("Yes, delete my data"), "delete:yes"),
                Choice(_("No, keep it"), "delete:no"),
            ),
        )

    async def on_confirm(self, ctx: Context, answer: Answer) -> str | None:
        _ = ctx.t.gettext
        if answer.data != "delete:yes":
            ctx.say(_("Nothing was deleted."))
            await ctx.engine.show_menu(ctx)
            return None
        erasure = await ctx.ports.users.delete(ctx.user.id)
        ctx.user_deleted = True
        ctx.say(erasure_report(ctx, erasure))
        return None


def erasure_report(ctx: Context, erasure: Erasure) -> str:
    """Exactly what was deleted and what was kept."""
    _, ngettext = ctx.t.gettext, ctx.t.ngettext

    def count(value: int) -> str:
        return ctx.t.format_number(value)

    lines = [
        _("Your data has been deleted:"),
        _("• your profile: name, language, role, region and settings;"),
        _("• your chat addresses: {addresses};").format(
            addresses=escape(", ".join(erasure.addresses))
        ),
        _("• your conversation with this bot and the answers in it;"),
    ]
    if erasure.drafts:
        lines.append(
            ngettext(
                "• {count} application you never sent;",
                "• {count} applications you never sent;",
                erasure.drafts,
            ).format(count=count(erasure.drafts))
        )
    if erasure.meeting_answers:
        lines.append(
            ngettext(
                "• {count} answer to a meeting invitation;",
                "• {count} answers to meeting invitations;",
                erasure.meeting_answers,
            ).format(count=count(erasure.meeting_answers))
        )
    if erasure.survey_answers:
        lines.append(
            ngettext(
                "• {count} answer to a survey;",
                "• {count} answers to surveys;",
                erasure.survey_answers,
            ).format(count=count(erasure.survey_answers))
        )
    if erasure.questions:
        lines.append(
            ngettext(
                "• {count} question to the district office, with its answers;",
                "• {count} questions to the district office, with their answers;",
                erasure.questions,
            ).format(count=count(erasure.questions))
        )
    lines.append(
        ngettext(
            "• {count} message to you or about you.",
            "• {count} messages to you or about you.",
            erasure.messages,
        ).format(count=count(erasure.messages))
    )
    if erasure.kept_records:
        lines.append(
            ngettext(
                "Kept: your application {references}, as a funding record of the district, "
                "with your name, organisation and contact replaced by “deleted”.",
                "Kept: your applications {references}, as funding records of the district, "
                "with your name, organisation and contact replaced by “deleted”.",
                len(erasure.kept_records),
            ).format(references=escape(", ".join(erasure.kept_records)))
        )
    lines.append(
        _(
            "The log of actions keeps what was done, with a random pseudonym instead of your "
            "name and addresses."
        )
    )
    lines.append(_("Send /start if you want to use Gemeinsam again."))
    return "\n".join(lines)


async def run_deletemydata(ctx: Context) -> None:
    await ctx.engine.start_flow(ctx, DeleteData.name)
