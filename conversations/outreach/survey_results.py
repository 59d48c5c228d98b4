"""/results for staff: what came in for a survey, as text, a bar chart and a spreadsheet; the
answers in every language counted together, the survey shown in the staff member's language
where it has a version of it, else in German."""

from __future__ import annotations

from html import escape

from conversations.flow import Answer, Context, Flow, Question, command_choice
from conversations.messages import Choice, Document, rows
from conversations.roles import Permission
from conversations.spreadsheets import csv_document, workbook_document


class SurveyResultsFlow(Flow):
    name = "results"
    first_step = "choose"
    permission = Permission.STAFF

    async def ask_choose(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        surveys = await ctx.ports.surveys.recent()
        if not surveys:
            return Question(
                _("There are no surveys yet."), ((command_choice(_("Main menu"), "menu"),),)
            )
        return Question(
            _("Which survey?"),
            rows(
                *(
                    Choice(s.version(ctx.t.locale, fallback="de")[1].question[:50], f"pick:{s.id}")
                    for s in surveys
                )
            ),
        )

    async def on_choose(self, ctx: Context, answer: Answer) -> str:
        ctx.state.data["survey_id"] = int((answer.data or "").removeprefix("pick:"))
        return "show"

    async def ask_show(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        t = ctx.t
        results = await ctx.ports.surveys.results(int(ctx.state.data["survey_id"]))
        survey = results.survey
        text = survey.version(t.locale, fallback="de")[1]
        lines = [
            f"<b>{escape(text.question)}</b>",
            (_("Open until {date}.") if survey.open else _("Closed on {date}.")).format(
                date=t.format_datetime(survey.closes_at)
            ),
            _("Answers: {answered} of {total} asked").format(
                answered=t.format_number(results.answered), total=t.format_number(survey.total)
            ),
        ]
        for number, (option, count) in enumerate(
            zip(text.options, results.counts, strict=True), start=1
        ):
            lines.append(f"{t.format_number(number)}. {escape(option)}: {t.format_number(count)}")
        for region, counts in results.by_region:
            numbers = ", ".join(
                f"{t.format_number(i)}: {t.format_number(c)}" for i, c in enumerate(counts, start=1)
            )
            lines.append(f"{escape(region or _('no region'))} – {numbers}")
        if results.texts:
            lines.append(_("<b>Answers in their own words (for staff only)</b>"))
            lines += [f"• {escape(text)}" for text in results.texts[:30]]
        buttons = [
            Choice(_("As a spreadsheet file"), "show:file"),
            Choice(_("As CSV for other programs"), "show:csv"),
        ]
        if text.options:
            buttons.insert(0, Choice(_("As a bar chart"), "show:chart"))
        return Question("\n".join(lines), rows(*buttons, Choice(_("Other survey"), "show:back")))

    async def on_show(self, ctx: Context, answer: Answer) -> str:
        _ = ctx.t.gettext
        survey_id = int(ctx.state.data["survey_id"])
        if answer.data == "show:back":
            return "choose"
        if answer.data == "show:chart":
            ctx.say(
                _("The answers as a bar chart."),
                document=Document(
                    f"gemeinsam-survey-{survey_id}.png",
                    "image/png",
                    await ctx.ports.surveys.results_chart(survey_id, ctx.t.locale),
                ),
            )
        elif answer.data in ("show:file", "show:csv"):
            spreadsheet = await ctx.ports.surveys.results_spreadsheet(survey_id, ctx.t)
            stem = f"gemeinsam-survey-{survey_id}"
            if answer.data == "show:file":
                text, document = _("The answers as a spreadsheet file."), workbook_document
            else:
                text, document = _("The answers as CSV, for other programs."), csv_document
            ctx.say(text, document=document(stem, spreadsheet))
        return "show"


async def run_results(ctx: Context) -> None:
    await ctx.engine.start_flow(ctx, SurveyResultsFlow.name)
