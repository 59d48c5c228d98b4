"""How a survey reads to the person asked: in their language's version, else in the fallback's,
with a line in their own language saying which language it is in."""

from __future__ import annotations

from datetime import datetime
from html import escape

from conversations.messages import Choice, Reply, rows
from conversations.outreach.ports import SurveyRuleError, SurveyText, SurveyView
from conversations.ports import Translator

OPTION_LABEL = 60  # characters of an option on its button


def refusal(t: Translator, error: SurveyRuleError) -> str:
    _ = t.gettext
    return {
        "closed": _("This survey is closed."),
        "not_invited": _("This survey is not for you."),
        "not_found": _("This survey no longer exists."),
        "options": _("Please choose one of the answers."),
        "versions": _("Every language version needs the same answers, in the same order."),
        "not_staff": _("Sorry, only staff of the district office can do that."),
    }[error.code]


def question_lines(t: Translator, question: str, closes_at: datetime) -> list[str]:
    _ = t.gettext
    return [
        _("<b>A question from the district office</b>"),
        escape(question),
        _("You can answer until {date}.").format(date=t.format_datetime(closes_at)),
    ]


def in_other_language(t: Translator, locale: str) -> str:
    """Said, in the reader's language, when the survey is in another one (`locale`)."""
    return t.gettext("This survey is not available in {language}; here it is in {version}.").format(
        language=t.language_name(t.locale), version=t.language_name(locale)
    )


def reading(t: Translator, survey: SurveyView) -> SurveyText:
    """The survey as the reader of `t` gets it."""
    return survey.version(t.locale)[1]


def survey_question(t: Translator, survey: SurveyView) -> Reply:
    """The question with its answers as buttons (by place, the same in every language), or a
    button to answer in words."""
    _ = t.gettext
    locale, text = survey.version(t.locale)
    lines = question_lines(t, text.question, survey.closes_at)
    if locale != t.locale:
        lines.insert(1, "<i>" + in_other_language(t, locale) + "</i>")
    if text.options:
        buttons = rows(
            *(
                Choice(
                    ("✓ " if survey.my_option == i else "") + option[:OPTION_LABEL],
                    f"survey:{survey.id}:{i}",
                )
                for i, option in enumerate(text.options)
            )
        )
    else:
        buttons = rows(Choice(_("Write my answer"), f"surveytext:{survey.id}"))
    return Reply("\n".join(lines), buttons)
