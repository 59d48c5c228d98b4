"""/survey for staff: a question with options or a free-text answer to an audience, open until it
closes. People answer in `survey_answers`; /results is in `survey_results`."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from html import escape

from conversations.flow import Answer, Context, Flow, Question
from conversations.limits import SURVEY_OPTION, SURVEY_QUESTION, one_line
from conversations.messages import Choice, Reply, rows
from conversations.outreach.broadcast import AudienceSteps, audience_of
from conversations.outreach.ports import SurveyRuleError, SurveyView
from conversations.ports import Translator
from conversations.roles import Permission

CLOSING_DAYS = (1, 3, 7, 14)


def refusal(t: Translator, error: SurveyRuleError) -> str:
    _ = t.gettext
    return {
        "closed": _("This survey is closed."),
        "not_invited": _("This survey is not for you."),
        "not_found": _("This survey no longer exists."),
        "options": _("Please choose one of the answers."),
        "not_staff": _("Sorry, only staff of the district office can do that."),
    }[error.code]


def survey_question(t: Translator, survey: SurveyView) -> Reply:
    _ = t.gettext
    text = "\n".join(
        [
            _("<b>A question from the district office</b>"),
            escape(survey.question),
            _("You can answer until {date}.").format(date=t.format_datetime(survey.closes_at)),
        ]
    )
    if survey.options:
        buttons = rows(
            *(
                Choice(
                    ("✓ " if survey.my_option == i else "") + option[:60], f"survey:{survey.id}:{i}"
                )
                for i, option in enumerate(survey.options)
            )
        )
    else:
        buttons = rows(Choice(_("Write my answer"), f"surveytext:{survey.id}"))
    return Reply(text, buttons)


class NewSurvey(AudienceSteps, Flow):
    name = "new_survey"
    first_step = "question"
    permission = Permission.STAFF
    next_after_audience = "closes"

    async def ask_question(self, ctx: Context) -> Question:
        return Question(
            ctx.t.gettext("<b>New survey</b>\nWhat is the question?"),
            free_text=True,
            limit=SURVEY_QUESTION,
        )

    async def on_question(self, ctx: Context, answer: Answer) -> str:
        ctx.state.data.update(question=answer.text, options=[])
        return "kind"

    async def ask_kind(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        return Question(
            _("How do people answer?"),
            rows(
                Choice(_("By choosing one of 2 to 8 answers"), "kind:options"),
                Choice(_("In their own words"), "kind:text"),
            ),
        )

    async def on_kind(self, ctx: Context, answer: Answer) -> str:
        return "option" if answer.data == "kind:options" else "role"

    async def ask_option(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        options = ctx.state.data["options"]
        lines = [f"{i}. {escape(o)}" for i, o in enumerate(options, start=1)]
        text = "\n".join([*lines, _("Write answer {number}.").format(number=len(options) + 1)])
        done = rows(Choice(_("Done"), "option:done")) if len(options) >= 2 else ()
        return Question(text, done, free_text=True, limit=SURVEY_OPTION)

    async def on_option(self, ctx: Context, answer: Answer) -> str:
        if answer.data == "option:done":
            return "role"
        ctx.state.data["options"].append(one_line(answer.text))
        return "role" if len(ctx.state.data["options"]) == 8 else "option"

    async def ask_closes(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        return Question(
            _("How long can people answer?"),
            rows(
                *(
                    Choice(
                        ctx.t.ngettext("{count} day", "{count} days", days).format(
                            count=ctx.t.format_number(days)
                        ),
                        f"closes:{days}",
                    )
                    for days in CLOSING_DAYS
                ),
                per_row=2,
            ),
        )

    async def on_closes(self, ctx: Context, answer: Answer) -> str:
        ctx.state.data["days"] = int((answer.data or "").removeprefix("closes:"))
        return "preview"

    async def ask_preview(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        data = ctx.state.data
        closes = ctx.ports.clock.now() + timedelta(days=int(data["days"]))
        preview = SurveyView(
            id=0,
            question=data["question"],
            options=data["options"],
            closes_at=closes,
            total=0,
            open=True,
        )
        total = sum((await ctx.ports.broadcasts.count(audience_of(data))).values())
        text = "\n\n".join(
            [
                _("This is how the question will look:"),
                survey_question(ctx.t, preview).text,
                ctx.t.ngettext(
                    "Send it to {count} person?", "Send it to {count} people?", total
                ).format(count=ctx.t.format_number(total)),
            ]
        )
        return Question(
            text, rows(Choice(_("Send"), "preview:send"), Choice(_("Start again"), "preview:again"))
        )

    async def on_preview(self, ctx: Context, answer: Answer) -> str:
        if answer.data == "preview:again":
            ctx.state.data.clear()
            return "question"
        return "confirm"

    async def ask_confirm(self, ctx: Context) -> Question:
        """The last look: once asked, a question cannot be taken back."""
        _ = ctx.t.gettext
        data = ctx.state.data
        total = sum((await ctx.ports.broadcasts.count(audience_of(data))).values())
        closes = ctx.ports.clock.now() + timedelta(days=int(data["days"]))
        return Question(
            ctx.t.ngettext(
                "Send the question to {count} person now? They can answer until {date}.",
                "Send the question to {count} people now? They can answer until {date}.",
                total,
            ).format(count=ctx.t.format_number(total), date=ctx.t.format_datetime(closes)),
            rows(Choice(_("Yes, send"), "confirm:yes"), Choice(_("No, back"), "confirm:back")),
        )

    async def on_confirm(self, ctx: Context, answer: Answer) -> str | None:
        if answer.data != "confirm:yes":
            return "preview"  # nothing sent: the preview again
        data = ctx.state.data
        survey = await ctx.ports.surveys.create(
            data["question"],
            data["options"],
            audience_of(data),
            ctx.ports.clock.now() + timedelta(days=int(data["days"])),
        )
        for user_id in await ctx.ports.surveys.invitees(survey.id):
            await ctx.ports.notifications.to_user(
                user_id,
                f"survey:{survey.id}:ask",
                partial(survey_question, survey=survey),
                bulk=True,
            )
        ctx.say(
            ctx.t.ngettext(
                "The question went to {count} person.",
                "The question went to {count} people.",
                survey.total,
            ).format(count=ctx.t.format_number(survey.total))
        )
        await ctx.engine.show_menu(ctx)
        return None


async def run_survey(ctx: Context) -> None:
    await ctx.engine.start_flow(ctx, NewSurvey.name)
