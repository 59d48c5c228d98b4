"""/ask: a question the library cannot answer, in any language, with photos, documents or voice
notes, to the district office; the answer comes back in this chat."""

from __future__ import annotations

from dataclasses import asdict
from functools import partial
from html import escape
from typing import Any

from conversations.flow import Answer, Context, Flow, Invalid, Question, command_choice
from conversations.limits import QUESTION_TEXT, too_long
from conversations.messages import Attachment, Choice, rows
from conversations.office.ports import sent_as
from conversations.office.texts import staff_file, staff_notice

MAX_FILES = 5
SEND = "send"
CANCEL = "cancel"


def ask_choice(ctx: Context) -> Choice:
    """The offer to ask the office, where the library had no answer."""
    return command_choice(ctx.t.gettext("Ask the office"), "ask")


async def run_ask(ctx: Context) -> None:
    _ = ctx.t.gettext
    desk = ctx.ports.questions
    waiting = await desk.open_count()
    if waiting >= desk.max_open:
        ctx.say(
            ctx.t.ngettext(
                "You already have {count} question waiting for the district office. Please wait "
                "for its answer, or mark an answered one as solved, before you ask another.",
                "You already have {count} questions waiting for the district office. Please wait "
                "for their answers, or mark answered ones as solved, before you ask another.",
                waiting,
            ).format(count=ctx.t.format_number(waiting)),
            ((command_choice(_("Main menu"), "menu"),),),
        )
        return
    await ctx.engine.start_flow(ctx, AskOffice.name)


def _files(ctx: Context) -> list[Attachment]:
    return [Attachment(**file) for file in ctx.state.data.get("files", [])]


def _add(ctx: Context, answer: Answer) -> None:
    """Text is added to what was written; a file to the files (at most MAX_FILES)."""
    data: dict[str, Any] = ctx.state.data
    if answer.attachment is not None:
        if len(data.get("files", [])) >= MAX_FILES:
            raise Invalid(
                ctx.t.gettext("You can add at most {count} files.").format(
                    count=ctx.t.format_number(MAX_FILES)
                )
            )
        attachment = sent_as(ctx.inbound.kind, answer.attachment)
        assert attachment is not None
        data["files"] = [*data.get("files", []), asdict(attachment)]
        return
    text = "\n".join(part for part in (data.get("text"), answer.text.strip()) if part)
    if len(text) > QUESTION_TEXT.high:
        raise Invalid(too_long(ctx.t, QUESTION_TEXT, len(text)))
    data["text"] = text


class AskOffice(Flow):
    name = "ask"
    first_step = "question"

    async def ask_question(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        return Question(
            _(
                "What would you like to ask the district office? Write in your own language. "
                "You can also send a photo, a document or a voice note."
            ),
            free_text=True,
            accepts_files=True,
            limit=QUESTION_TEXT,
        )

    async def on_question(self, ctx: Context, answer: Answer) -> str:
        _add(ctx, answer)
        return "confirm"

    async def ask_confirm(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        text = ctx.state.data.get("text")
        files = len(_files(ctx))
        lines = [_("Your question:")]
        if text:
            lines.append(f"<blockquote>{escape(text)}</blockquote>")
        if files:
            lines.append(
                ctx.t.ngettext("and {count} file", "and {count} files", files).format(
                    count=ctx.t.format_number(files)
                )
            )
        lines.append(
            _("Shall I send it to the district office? You can still add text or files first.")
        )
        return Question(
            "\n".join(lines),
            rows(Choice(_("Send to the office"), SEND), Choice(_("Cancel"), CANCEL), per_row=2),
            free_text=True,
            accepts_files=True,
            limit=QUESTION_TEXT,
        )

    async def on_confirm(self, ctx: Context, answer: Answer) -> str | None:
        _ = ctx.t.gettext
        if answer.data == CANCEL:
            ctx.say(_("Your question was not sent."), ((command_choice(_("Main menu"), "menu"),),))
            return None
        if answer.data != SEND:
            _add(ctx, answer)
            return "confirm"
        desk = ctx.ports.questions
        if await desk.open_count() >= desk.max_open:  # asked meanwhile on another messenger
            raise Invalid(_("You already have as many questions waiting as you may."))
        question = await desk.ask(
            text=ctx.state.data.get("text"), files=_files(ctx), channel=ctx.inbound.channel
        )
        await desk.to_staff(
            question,
            partial(staff_notice, question=question),
            [partial(staff_file, question=question, attachment=file) for file in question.files],
        )
        ctx.say(
            _("Thank you. Your question has been sent to the district office: {reference}.").format(
                reference=f"<b>{question.reference}</b>"
            )
            + "\n"
            + ctx.t.ngettext(
                "Staff answer in German or English within {count} working day; the answer "
                "comes here, in this chat.",
                "Staff answer in German or English within {count} working days; the answer "
                "comes here, in this chat.",
                desk.answer_days,
            ).format(count=ctx.t.format_number(desk.answer_days)),
            ((command_choice(_("Main menu"), "menu"),),),
        )
        return None
