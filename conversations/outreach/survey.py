"""/survey for staff: a question with options or a free-text answer, in German and optionally in
other languages (`survey_versions`), to an audience, open until it closes; a summary where each
part can be changed before it is sent. People answer in `survey_answers`; /results is in
`survey_results`."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from html import escape

from conversations.flow import Answer, Context, Flow, Invalid, Question
from conversations.limits import SURVEY_OPTION, SURVEY_QUESTION, one_line
from conversations.messages import Choice, rows
from conversations.outreach.broadcast import AudienceSteps, audience_of, capitalized
from conversations.outreach.broadcast_summary import audience_line
from conversations.outreach.ports import SurveyRuleError
from conversations.outreach.survey_text import question_lines, refusal, survey_question
from conversations.outreach.survey_versions import SurveyVersionSteps, mismatches, versions_of
from conversations.ports import Translator
from conversations.roles import Permission
from conversations.summary import EDITING, KEEP, keeping, then

CLOSING_DAYS = (1, 3, 7, 14)


# The summary's "change" buttons: which step each opens.
EDITS = (
    ("question", "Question"),
    ("kind", "Answers"),
    ("versions", "Languages"),
    ("role", "Audience"),
    ("closes", "Closing date"),
)


def option_lines(t: Translator, options: list[str]) -> list[str]:
    return [
        f"{t.format_number(number)}. {escape(option)}"
        for number, option in enumerate(options, start=1)
    ]


class NewSurvey(SurveyVersionSteps, AudienceSteps, Flow):
    name = "new_survey"
    first_step = "question"
    permission = Permission.STAFF
    wizard = True
    summary_step = "summary"
    next_after_audience = "closes"

    async def ask_question(self, ctx: Context) -> Question:
        question = Question(
            ctx.t.gettext("<b>New survey</b>\nWhat is the question?"),
            free_text=True,
            limit=SURVEY_QUESTION,
        )
        return keeping(ctx, question, ctx.state.data.get("question"))

    async def on_question(self, ctx: Context, answer: Answer) -> str:
        if answer.data != KEEP:  # the answers and versions written so far stay
            ctx.state.data["question"] = answer.text
        return then(ctx, "kind")

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
        ctx.state.data["options"] = []
        return "option" if answer.data == "kind:options" else then(ctx, "role")

    async def ask_option(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        options = ctx.state.data["options"]
        number = ctx.t.format_number(len(options) + 1)
        text = "\n".join(
            [*option_lines(ctx.t, options), _("Write answer {number}.").format(number=number)]
        )
        done = rows(Choice(_("Done"), "option:done")) if len(options) >= 2 else ()
        return Question(text, done, free_text=True, limit=SURVEY_OPTION)

    async def on_option(self, ctx: Context, answer: Answer) -> str:
        if answer.data == "option:done":
            return then(ctx, "role")
        ctx.state.data["options"].append(one_line(answer.text))
        return then(ctx, "role") if len(ctx.state.data["options"]) == 8 else "option"

    async def on_languages(self, ctx: Context, answer: Answer) -> str:
        step = await super().on_languages(ctx, answer)
        return then(ctx, step) if step == self.next_after_audience else step

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
        return "summary"

    async def ask_summary(self, ctx: Context) -> Question:
        """Everything before it is sent, each part with a button to change it."""
        _ = ctx.t.gettext
        t = ctx.t
        data = ctx.state.data
        data[EDITING] = True
        closes = ctx.ports.clock.now() + timedelta(days=int(data["days"]))
        lines = [
            _("This is how the question will look:"),
            "",
            *question_lines(t, data["question"], closes),
            *(option_lines(t, data["options"]) or [_("People answer in their own words.")]),
        ]
        versions = versions_of(data)
        for locale, text in versions.items():
            heading = f"<b>{escape(capitalized(t.language_name(locale)))}</b>"
            lines += ["", heading, escape(text.question), *option_lines(t, list(text.options))]
        regions = {region.key: region.name for region in await ctx.ports.users.regions()}
        total = sum((await ctx.ports.broadcasts.count(audience_of(data))).values())
        lines += [
            "",
            _("Languages: {languages}").format(
                languages=", ".join(t.language_name(code) for code in ("de", *versions))
            ),
            _("People whose language has no version read it in {language}.").format(
                language=t.language_name(data.get("fallback", "de"))
            ),
            audience_line(t, data, regions),
            t.ngettext(
                "This reaches {count} person.", "This reaches {count} people.", total
            ).format(count=t.format_number(total)),
            *(f"⚠️ {problem}" for problem in mismatches(t, data)),
            "",
            _("Is everything right? Tap a part to change it, or send it."),
        ]
        labels = {
            "Question": _("Question"),
            "Answers": _("Answers"),
            "Languages": _("Languages"),
            "Audience": _("Audience"),
            "Closing date": _("Closing date"),
        }
        buttons = [Choice("✎ " + labels[label], f"edit:{step}") for step, label in EDITS]
        return Question(
            "\n".join(lines),
            (
                *rows(*buttons, per_row=3),
                (Choice(_("Send"), "edit:send"), Choice(_("Start again"), "edit:again")),
            ),
        )

    async def on_summary(self, ctx: Context, answer: Answer) -> str:
        step = (answer.data or "").removeprefix("edit:")
        if step == "again":
            ctx.state.data.clear()
            return "question"
        if step == "send":
            problems = mismatches(ctx.t, ctx.state.data)
            if problems:
                raise Invalid(problems[0])
            return "confirm"
        return step

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
            return "summary"  # nothing sent: the summary again
        data = ctx.state.data
        try:
            survey = await ctx.ports.surveys.create(
                data["question"],
                data["options"],
                audience_of(data),
                ctx.ports.clock.now() + timedelta(days=int(data["days"])),
                versions=versions_of(data),
                fallback=data.get("fallback", "de"),
            )
        except SurveyRuleError as error:
            raise Invalid(refusal(ctx.t, error)) from error
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
