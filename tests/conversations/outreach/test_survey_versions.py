"""Surveys in several languages: staff add a version from the summary, each person reads their
language's version (else the fallback, with a line that says so), answers count together by
their place, and every part of the survey can be changed from the summary before it is sent."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import func, select

from bot.app import App
from bot.db.models import Survey
from tests.chat import Chat
from tests.conftest import FakeClock
from tests.conversations.grants.test_review import staff_member
from tests.conversations.outreach.test_broadcast import everyone
from tests.conversations.outreach.test_survey import OPTIONS, question_of
from tests.conversations.people.test_onboarding import gettext

QUESTION = "Was brauchen Sie, um an Treffen teilzunehmen?"
ARABIC_QUESTION = "ما الذي تحتاجه لحضور اللقاءات؟"
ARABIC_OPTIONS = ["دروس اللغة الألمانية مساءً", "رعاية الأطفال", "خدمة النقل"]


async def write_until_summary(staff: Chat, options: list[str] = OPTIONS) -> None:
    en = gettext(staff.app, "en")
    await staff.send("/survey")
    await staff.send(QUESTION)
    await staff.press(en("By choosing one of 2 to 8 answers"))
    for option in options:
        await staff.send(option)
    await staff.press(en("Done"))
    await staff.press(en("Newcomers"))
    await staff.press(en("Done"))
    await staff.press(en("Done"))
    await staff.press(en("{count} days").replace("{count}", "7"))


async def add_arabic(staff: Chat, options: list[str] = ARABIC_OPTIONS) -> None:
    en = gettext(staff.app, "en")
    await staff.press("✎ " + en("Languages"))
    await staff.press("العربية")
    assert en("Please write the question in {language}.").format(language="Arabic") in staff.text
    await staff.send(ARABIC_QUESTION)
    for number, option in enumerate(options, start=1):
        assert (
            en("Please write answer {number} of {count} in {language}. In German: {answer}")
            .format(number=number, count=3, language="Arabic", answer=OPTIONS[number - 1])
            .split(" In German")[0]
            in staff.text
        )
        await staff.send(option)
    assert "✓ العربية" in staff.labels
    await staff.press(en("Done"))


async def test_each_newcomer_reads_their_language_and_the_answers_count_together(
    app: App,
) -> None:
    staff = await staff_member(app)
    chats = await everyone(app)
    en = gettext(app, "en")
    await write_until_summary(staff)
    await add_arabic(staff)
    summary = staff.text
    assert QUESTION in summary and ARABIC_QUESTION in summary
    assert "3. خدمة النقل" in summary and "3. Fahrdienst" in summary
    assert en("Languages: {languages}").format(languages="German, Arabic") in summary
    assert (
        en("People whose language has no version read it in {language}.").format(language="German")
        in summary
    )
    await staff.press(en("Send"))
    await staff.press(en("Yes, send"))

    arabic, ukrainian, german = (chats[a] for a in ("n-ar-parchim", "n-uk-hagenow", "n-de-parchim"))
    for chat in (arabic, ukrainian, german):
        question_of(chat)
    assert ARABIC_QUESTION in arabic.text and QUESTION not in arabic.text
    assert arabic.labels == ARABIC_OPTIONS
    uk = app.catalogs.translator("uk")
    fallback_line = uk.gettext(
        "This survey is not available in {language}; here it is in {version}."
    ).format(language=uk.language_name("uk"), version=uk.language_name("de"))
    assert fallback_line in ukrainian.text and QUESTION in ukrainian.text
    assert ukrainian.labels == OPTIONS
    assert QUESTION in german.text and "not available" not in german.text
    assert arabic.text.count("\n") == german.text.count("\n")  # no line about the language

    await arabic.press("رعاية الأطفال")
    ar = app.catalogs.translator("ar")
    assert arabic.replies[0].text.startswith(
        ar.gettext("Thank you. Your answer: {answer}. You can change it until {date}.").split(
            "{answer}"
        )[0]
    )
    assert "رعاية الأطفال" in arabic.replies[0].text
    assert [c.label for row in arabic.replies[0].choices for c in row][1] == "✓ رعاية الأطفال"
    await ukrainian.press("Kinderbetreuung")
    await german.press("Fahrdienst")

    await staff.send("/results")
    await staff.press(QUESTION[:50])
    assert "2. Kinderbetreuung: 2" in staff.text and "3. Fahrdienst: 1" in staff.text
    assert en("Answers: {answered} of {total} asked").format(answered=3, total=3) in staff.text

    await staff.send("/settings")
    await staff.press(en("Change language"))
    await staff.press("العربية")
    await staff.send("/results")
    await staff.press(ARABIC_QUESTION)
    assert f"2. رعاية الأطفال: {ar.format_number(2)}" in staff.text
    assert ARABIC_QUESTION in staff.text
    await staff.press(ar.gettext("As CSV for other programs"))
    spreadsheet = staff.replies[0].document
    assert spreadsheet is not None
    rows = list(csv.reader(io.StringIO(spreadsheet.content.decode("utf-8-sig")), delimiter=";"))
    assert {row[0] for row in rows[1:]} == {ARABIC_QUESTION}
    assert sorted(row[1] for row in rows[1:]) == ["خدمة النقل", "رعاية الأطفال", "رعاية الأطفال"]
    await staff.press(ar.gettext("As a bar chart"))
    chart = staff.replies[0].document
    assert chart is not None and chart.mime_type == "image/png"


async def test_every_part_can_be_changed_from_the_summary(app: App, clock: FakeClock) -> None:
    staff = await staff_member(app)
    chats = await everyone(app)
    en = gettext(app, "en")
    await write_until_summary(staff)
    await add_arabic(staff)

    await staff.press("✎ " + en("Question"))
    await staff.send("Was hilft Ihnen, zu unseren Treffen zu kommen?")
    assert "Was hilft Ihnen, zu unseren Treffen zu kommen?" in staff.text
    assert ARABIC_QUESTION in staff.text  # the rest is kept

    await staff.press("✎ " + en("Audience"))
    await staff.press(en("Volunteers"))
    await staff.press(en("Done"))
    await staff.press(en("Done"))
    assert (
        en("Audience: {roles}; regions: {regions}; languages: {languages}").format(
            roles="Volunteers", regions="all", languages="all"
        )
        in staff.text
    )

    await staff.press("✎ " + en("Closing date"))
    await staff.press(en("{count} days").replace("{count}", "14"))
    await staff.press(en("Send"))
    t = app.catalogs.translator("en")
    assert t.format_datetime(clock.now() + timedelta(days=14)) in staff.text
    await staff.press(en("Yes, send"))
    volunteer = chats["v-fa-hagenow"]
    question_of(volunteer)
    assert "Was hilft Ihnen" in volunteer.text
    assert chats["n-ar-parchim"].channel.take("n-ar-parchim") == []


async def test_versions_with_other_answers_than_the_german_are_not_sent(app: App) -> None:
    staff = await staff_member(app)
    await everyone(app)
    en = gettext(app, "en")
    await write_until_summary(staff)
    await add_arabic(staff)

    await staff.press("✎ " + en("Answers"))
    await staff.press(en("By choosing one of 2 to 8 answers"))
    await staff.send("Kinderbetreuung")
    await staff.send("Fahrdienst")
    await staff.press(en("Done"))
    problem = en(
        "The {language} version has {count} answers, the German one {german}. Every version "
        "needs the same answers in the same order: please write the {language} version again "
        "under “{button}”."
    ).format(language="Arabic", count=3, german=2, button=en("Languages"))
    assert problem in staff.text
    await staff.press(en("Send"))
    assert staff.replies[0].text == problem
    async with app.database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Survey)) == 0

    await staff.press("✎ " + en("Languages"))
    await staff.press("✓ العربية")  # written again: what stays can be kept
    await staff.press(en("Keep it"))
    await staff.send("رعاية الأطفال")
    await staff.send("خدمة النقل")
    await staff.press(en("Done"))
    assert problem not in staff.text
    await staff.press(en("Send"))
    await staff.press(en("Yes, send"))
    async with app.database.transaction() as session:
        survey = await session.scalar(select(Survey))
        assert survey is not None and survey.options == ["Kinderbetreuung", "Fahrdienst"]
        assert survey.versions == {
            "ar": {"question": ARABIC_QUESTION, "options": ["رعاية الأطفال", "خدمة النقل"]}
        }
