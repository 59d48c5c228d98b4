"""The staff's side of questions: /questions, take one, answer it, close it. Every button is
checked against the role stored now, whoever sent it."""

from __future__ import annotations

from functools import partial
from html import escape

from conversations.flow import Answer, Context, Flow, Invalid, Question
from conversations.limits import QUESTION_ANSWER, record_id
from conversations.messages import Choice, rows
from conversations.office.lessons import lesson_choices
from conversations.office.ports import ACTIVE, CloseReason, QuestionView, TakeOutcome, sent_as
from conversations.office.texts import (
    REASONS,
    answer_to_person,
    asker,
    closed_to_person,
    message_text,
    staff_buttons,
    staff_notice,
    status_line,
)
from conversations.roles import Permission, allows

MAX_LISTED = 20


async def _staff_question(ctx: Context, question_id: str) -> QuestionView | None:
    """The question of a staff button, or None after refusing someone who is not staff now; a
    question that is gone is a button no longer valid (ValueError)."""
    if not allows(ctx.user, Permission.STAFF):
        ctx.say(ctx.t.gettext("Sorry, only staff of the district office can do that."))
        return None
    question = await ctx.ports.questions.find(record_id(question_id))
    if question is None:
        raise ValueError("no such question")
    return question


async def run_questions(ctx: Context) -> None:
    _ = ctx.t.gettext
    waiting = await ctx.ports.questions.waiting()
    if not waiting:
        ctx.say(_("No question is waiting for an answer."))
        return
    now = ctx.ports.clock.now()
    lines = [_("<b>Questions waiting for an answer</b>, oldest first:")]
    for question in waiting[:MAX_LISTED]:
        line = _("{reference} from {name}, {age} ago").format(
            reference=question.reference,
            name=escape(question.asker_name or "?"),
            age=ctx.t.format_age(now - question.created_at),
        )
        line += " – " + status_line(ctx.t, question)
        if question.overdue:
            line = "⚠️ " + line + " " + _("(over the promised time)")
        lines.append(line)
    choices = [Choice(q.reference, f"qshow:{q.id}") for q in waiting[:MAX_LISTED]]
    ctx.say("\n".join(lines), rows(*choices, per_row=3))


async def show_question(ctx: Context, args: list[str]) -> None:
    """`qshow:<id>`: the whole thread, with what can be done now."""
    [question_id] = args
    question = await _staff_question(ctx, question_id)
    if question is None:
        return
    _ = ctx.t.gettext
    lines = ["<b>" + _("Question {reference}").format(reference=question.reference) + "</b>"]
    lines.append(asker(ctx.t, question))
    for message in question.messages:
        who = _("Staff") if message.from_staff else escape(question.asker_name or "?")
        lines.append(f"{who}, {ctx.t.format_datetime(message.created_at)}:")
        lines.append(message_text(ctx.t, message))
    lines.append("<i>" + status_line(ctx.t, question) + "</i>")
    ctx.say("\n".join(lines), (*staff_buttons(ctx.t, question), *lesson_choices(ctx, question)))


async def take_question(ctx: Context, args: list[str]) -> None:
    """`qtake:<id>`: of two staff pressing at once, one takes it; the others' copies say who."""
    [question_id] = args
    if await _staff_question(ctx, question_id) is None:
        return
    _ = ctx.t.gettext
    outcome, question = await ctx.ports.questions.take(record_id(question_id))
    if question is None:
        raise ValueError("no such question")
    if outcome is TakeOutcome.TAKEN:
        await ctx.ports.questions.edit_copies(question, partial(staff_notice, question=question))
        ctx.say(
            _("You took question {reference}. Answer when you are ready.").format(
                reference=question.reference
            ),
            staff_buttons(ctx.t, question),
        )
    elif outcome is TakeOutcome.ALREADY_YOURS:
        ctx.say(_("You have taken this question already."), staff_buttons(ctx.t, question))
    else:
        ctx.say(status_line(ctx.t, question), staff_buttons(ctx.t, question))


async def answer_question(ctx: Context, args: list[str]) -> None:
    """`qanswer:<id>`: opens the answer, while the question is open."""
    await _start_on_open_question(ctx, args, AnswerQuestion.name)


async def close_question(ctx: Context, args: list[str]) -> None:
    """`qclose:<id>`: asks for the reason, while the question is open."""
    await _start_on_open_question(ctx, args, CloseQuestion.name)


async def _start_on_open_question(ctx: Context, args: list[str], flow: str) -> None:
    [question_id] = args
    question = await _staff_question(ctx, question_id)
    if question is None:
        return
    if question.status not in ACTIVE:
        ctx.say(status_line(ctx.t, question))
        return
    await ctx.engine.start_flow(ctx, flow, {"question_id": question.id})


async def _open_question(ctx: Context) -> QuestionView:
    question = await ctx.ports.questions.find(int(ctx.state.data["question_id"]))
    if question is None or question.status not in ACTIVE:
        raise Invalid(ctx.t.gettext("This question is answered, solved or closed already."))
    return question


class AnswerQuestion(Flow):
    name = "answer_question"
    first_step = "answer"
    permission = Permission.STAFF

    async def ask_answer(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        question = await _open_question(ctx)
        return Question(
            message_text(ctx.t, question.question)
            + "\n"
            + _(
                "Please write your answer to {reference} in German or English, or send a photo "
                "or a document. It goes to {name} as you write it."
            ).format(reference=question.reference, name=escape(question.asker_name or "?")),
            free_text=True,
            accepts_files=True,
            limit=QUESTION_ANSWER,
        )

    async def on_answer(self, ctx: Context, answer: Answer) -> None:
        _ = ctx.t.gettext
        desk = ctx.ports.questions
        question = await desk.answer(
            int(ctx.state.data["question_id"]),
            text=answer.text or None,
            attachment=sent_as(ctx.inbound.kind, answer.attachment),
            channel=ctx.inbound.channel,
        )
        if question is None:
            raise Invalid(_("This question is answered, solved or closed already."))
        await ctx.ports.notifications.to_user(
            question.user_id,
            f"question:{question.id}:message:{len(question.messages)}",
            partial(answer_to_person, question=question),
        )
        await desk.edit_copies(question, partial(staff_notice, question=question))
        ctx.say(
            _("Your answer to {reference} was sent to {name}.").format(
                reference=question.reference, name=escape(question.asker_name or "?")
            )
        )


class CloseQuestion(Flow):
    name = "close_question"
    first_step = "reason"
    permission = Permission.STAFF

    async def ask_reason(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        question = await _open_question(ctx)
        reasons = (CloseReason.ANSWERED, CloseReason.DUPLICATE, CloseReason.OTHER)
        return Question(
            _("Why do you close question {reference}? The person is told.").format(
                reference=question.reference
            ),
            rows(*(Choice(_(REASONS[reason]), str(reason)) for reason in reasons), per_row=1),
        )

    async def on_reason(self, ctx: Context, answer: Answer) -> None:
        _ = ctx.t.gettext
        desk = ctx.ports.questions
        question = await desk.close(
            int(ctx.state.data["question_id"]), CloseReason(answer.data or "other")
        )
        if question is None:
            raise Invalid(_("This question is answered, solved or closed already."))
        await ctx.ports.notifications.to_user(
            question.user_id,
            f"question:{question.id}:closed",
            partial(closed_to_person, question=question),
        )
        await desk.edit_copies(question, partial(staff_notice, question=question))
        ctx.say(_("Question {reference} is closed.").format(reference=question.reference))
