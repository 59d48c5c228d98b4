"""Answering a survey: by button, or in words, changeable until it closes.

Only the people a survey was sent to see its question or answer it: for anyone else its buttons
are no longer valid, whatever they carry."""

from __future__ import annotations

from html import escape

from conversations.flow import Answer, Context, Flow, Question
from conversations.limits import SURVEY_ANSWER, record_id
from conversations.outreach.ports import SurveyRuleError, SurveyView
from conversations.outreach.survey_text import reading, refusal, survey_question

# A survey has at most eight options (see `SurveyDesk.create`): an option number is one digit.
MAX_OPTION_DIGITS = 1


async def sent_survey(ctx: Context, survey_id: str) -> SurveyView:
    """The survey of a button, if it was sent to this person; else ValueError, which the engine
    answers as a button that is no longer valid (without a word on the survey)."""
    survey = await ctx.ports.surveys.get(record_id(survey_id))
    if survey is None:
        raise ValueError("a survey not sent to this person")
    return survey


async def choose_answer(ctx: Context, args: list[str]) -> None:
    """`survey:<id>:<option>`: an answer by button, changeable until the survey closes."""
    survey_id, option = args  # ValueError when there are more or fewer parts
    if not (option.isascii() and option.isdigit() and len(option) <= MAX_OPTION_DIGITS):
        raise ValueError("not an option")
    survey = await sent_survey(ctx, survey_id)
    await record(ctx, survey.id, option=int(option))


async def record(
    ctx: Context, survey_id: int, *, option: int | None = None, text: str | None = None
) -> None:
    _ = ctx.t.gettext
    try:
        survey = await ctx.ports.surveys.answer(survey_id, option=option, text=text)
    except SurveyRuleError as error:
        if error.code in ("not_invited", "not_found"):
            ctx.say(_("That button is no longer valid."))
        else:
            ctx.say(refusal(ctx.t, error))
        return
    options = reading(ctx.t, survey).options  # in the language they were asked in
    answer = options[survey.my_option] if survey.my_option is not None else survey.my_text or ""
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
        if survey is None:  # not (or no longer) theirs: the answer is refused as a stale button
            return Question(ctx.t.gettext("That button is no longer valid."), free_text=True)
        return Question(
            escape(reading(ctx.t, survey).question)
            + "\n\n"
            + ctx.t.gettext("Please write your answer."),
            free_text=True,
            limit=SURVEY_ANSWER,
        )

    async def on_text(self, ctx: Context, answer: Answer) -> None:
        await record(ctx, int(ctx.state.data["survey_id"]), text=answer.text)


async def answer_in_words(ctx: Context, args: list[str]) -> None:
    """`surveytext:<id>`: open the question for a free-text answer, to whom it was sent, while
    it is open."""
    [survey_id] = args  # ValueError when there are more or fewer parts
    survey = await sent_survey(ctx, survey_id)
    if not survey.open:
        ctx.say(refusal(ctx.t, SurveyRuleError("closed")))
        return
    await ctx.engine.start_flow(ctx, AnswerInWords.name, {"survey_id": survey.id})
