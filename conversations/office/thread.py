"""The person's side of an answer: reply (the same thread goes on) or say it is solved."""

from __future__ import annotations

from functools import partial

from conversations.flow import Answer, Context, Flow, Invalid, Question, command_choice
from conversations.limits import QUESTION_TEXT, record_id
from conversations.office.ports import ACTIVE, QuestionView, sent_as
from conversations.office.texts import staff_file, staff_notice, staff_reply


async def _own_question(ctx: Context, question_id: str) -> QuestionView:
    """The person's own question while it is open; else the button is no longer valid."""
    question = await ctx.ports.questions.find(record_id(question_id))
    if question is None or question.user_id != ctx.user.id or question.status not in ACTIVE:
        raise ValueError("not an open question of this person")
    return question


async def reply_to_answer(ctx: Context, args: list[str]) -> None:
    """`qreply:<id>`"""
    [question_id] = args
    question = await _own_question(ctx, question_id)
    await ctx.engine.start_flow(ctx, ReplyToAnswer.name, {"question_id": question.id})


async def mark_solved(ctx: Context, args: list[str]) -> None:
    """`qsolved:<id>`"""
    [question_id] = args
    question = await _own_question(ctx, question_id)
    _ = ctx.t.gettext
    solved = await ctx.ports.questions.solve(question.id)
    if solved is None:
        raise ValueError("no longer open")
    await ctx.ports.questions.edit_copies(solved, partial(staff_notice, question=solved))
    ctx.say(
        _("Thank you! We are glad it helped. Question {reference} is solved.").format(
            reference=solved.reference
        ),
        ((command_choice(_("Main menu"), "menu"),),),
    )


class ReplyToAnswer(Flow):
    name = "reply_question"
    first_step = "reply"

    async def ask_reply(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        question = await ctx.ports.questions.find(int(ctx.state.data["question_id"]))
        if question is None or question.status not in ACTIVE:
            raise Invalid(
                _("This question is solved or closed already. You can ask again with /ask.")
            )
        return Question(
            _(
                "Please write your reply to {reference}, in your own language. You can also "
                "send a photo, a document or a voice note."
            ).format(reference=question.reference),
            free_text=True,
            accepts_files=True,
            limit=QUESTION_TEXT,
        )

    async def on_reply(self, ctx: Context, answer: Answer) -> None:
        _ = ctx.t.gettext
        desk = ctx.ports.questions
        question = await desk.reply(
            int(ctx.state.data["question_id"]),
            text=answer.text or None,
            attachment=sent_as(ctx.inbound.kind, answer.attachment),
            channel=ctx.inbound.channel,
        )
        if question is None:
            raise Invalid(
                _("This question is solved or closed already. You can ask again with /ask.")
            )
        latest = question.messages[-1]
        files = (
            [partial(staff_file, question=question, attachment=latest.attachment)]
            if latest.attachment
            else []
        )
        await desk.to_handler(question, partial(staff_reply, question=question), files)
        await desk.edit_copies(question, partial(staff_notice, question=question))
        ctx.say(
            _("Your reply to {reference} was sent to the district office.").format(
                reference=question.reference
            ),
            ((command_choice(_("Main menu"), "menu"),),),
        )
