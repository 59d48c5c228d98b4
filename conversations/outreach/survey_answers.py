"""Answering a survey: by button, or in words, changeable until it closes."""

from __future__ import annotations

from html import escape

from conversations.flow import Answer, Context, Flow, Invalid, Question
from conversations.outreach.ports import SurveyRuleError
from conversations.outreach.survey import refusal, survey_question


def button_numbers(args: list[str], count: int) -> list[int] | None:
    """The button's numbers, or None when its data is not what this flow's buttons carry."""
    if len(args) != count or not all(arg.isdecimal() and arg.isascii() for arg in args):
        return None
    return [int(arg) for arg in args]


async def choose_answer(ctx: Context, args: list[str]) -> None:
    """`survey:<id>:<option>`: an answer by button, changeable until the survey closes."""
    if (parsed := button_numbers(args, 2)) is None:
        ctx.say(ctx.t.gettext("That button is no longer valid."))
        return
    survey_id, option = parsed
    await record(ctx, survey_id, option=option)


async def record(
    ctx: Context, survey_id: int, *, option: int | None = None, text: str | None = None
) -> None:
    _ = ctx.t.gettext
    try:
        survey = await ctx.ports.surveys.answer(survey_id, option=option, text=text)
    except SurveyRuleError as error:
        ctx.say(refusal(ctx.t, error))
        return
    answer = (
        survey.options[survey.my_option] if survey.my_option is not None else survey.my_text or ""
    )
    ctx.say(
        _("Thank you. Your answer: {answer}. You can change it until {date}.").format(
            answer=escape(answer), date=ctx.t.format_datetime(survey.closes_at)
        ),
        survey_question(ctx.t, survey).choices,
    )


class AnswerInWords(Flow):
    name = "survey_answer"
    first_step = "text"

    async def ask_text(self, ctx: Context) -> Question:
        survey = await ctx.ports.surveys.get(int(ctx.state.data["survey_id"]))
        question = escape(survey.question) if survey else ""
        return Question(
            question + "\n\n" + ctx.t.gettext("Please write your answer."), free_text=True
        )

    async def on_text(self, ctx: Context, answer: Answer) -> None:
        if not 1 <= len(answer.text) <= 2000:
            raise Invalid(ctx.t.gettext("Please write between 1 and 2,000 characters."))
        await record(ctx, int(ctx.state.data["survey_id"]), text=answer.text)


async def answer_in_words(ctx: Context, args: list[str]) -> None:
    """`surveytext:<id>`: open the question for a free-text answer."""
    if (parsed := button_numbers(args, 1)) is None:
        ctx.say(ctx.t.gettext("That button is no longer valid."))
        return
    await ctx.engine.start_flow(ctx, AnswerInWords.name, {"survey_id": parsed[0]})
