"""Needs surveys: the wizard, answers by button (changeable until the close), free text for
staff only, and results that add up to the answers given."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import timedelta

import pytest
from PIL import Image, ImageColor
from sqlalchemy import func, select

from bot.app import App
from bot.db.models import OutboxMessage, Survey, SurveyAnswer
from bot.delivery import ANNOUNCEMENT_PRIORITY
from bot.services.outreach.surveys import SurveyDesk, region_colours, region_segments
from tests.chat import Chat
from tests.conftest import FakeClock
from tests.conversations.grants.test_review import staff_member
from tests.conversations.meetings.test_invitations import person
from tests.conversations.outreach.test_broadcast import everyone
from tests.conversations.people.test_onboarding import gettext

OPTIONS = ["Deutschkurse am Abend", "Kinderbetreuung", "Fahrdienst"]


async def ask(
    staff: Chat,
    *,
    options: list[str] | None = OPTIONS,
    role: str = "Everyone",
    regions: Sequence[str] = (),
) -> None:
    en = gettext(staff.app, "en")
    await staff.send("/survey")
    await staff.send("Was brauchen Sie, um an Treffen teilzunehmen?")
    if options is None:
        await staff.press(en("In their own words"))
    else:
        await staff.press(en("By choosing one of 2 to 8 answers"))
        for option in options:
            await staff.send(option)
        await staff.press(en("Done"))
    await staff.press(en(role))
    for region in regions:
        await staff.press(region)
    await staff.press(en("Done"))
    await staff.press(en("Done"))
    await staff.press(en("{count} days").replace("{count}", "7"))
    await staff.press(en("Send"))
    await staff.press(en("Yes, send"))


def question_of(chat: Chat) -> None:
    chat.replies = [r for r in chat.channel.take(chat.address) if r.choices]


async def test_answers_add_up_and_can_be_changed_until_the_close(
    app: App, clock: FakeClock
) -> None:
    staff = await staff_member(app)
    chats = await everyone(app)
    await ask(staff, role="Newcomers")
    newcomers = [chats[a] for a in ("n-de-parchim", "n-ar-parchim", "n-uk-hagenow")]
    for chat in newcomers:
        question_of(chat)
        assert len(chat.choices) == 3
    assert chats["v-de-parchim"].channel.take("v-de-parchim") == []

    await newcomers[0].press("Kinderbetreuung")
    de = app.catalogs.translator("de")
    assert newcomers[0].replies[0].text == de.gettext(
        "Thank you. Your answer: {answer}. You can change it until {date}."
    ).format(answer="Kinderbetreuung", date=de.format_datetime(clock.now() + timedelta(days=7)))
    await newcomers[0].press("Deutschkurse am Abend")  # changed
    await newcomers[1].press("Deutschkurse am Abend")
    await newcomers[2].press("Fahrdienst")
    async with app.database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(SurveyAnswer)) == 3

    en = gettext(app, "en")
    await staff.send("/results")
    await staff.press(staff.labels[0])
    text = staff.text
    assert "1. Deutschkurse am Abend: 2" in text and "2. Kinderbetreuung: 0" in text
    assert "3. Fahrdienst: 1" in text
    assert "Parchim – 1: 2, 2: 0, 3: 0" in text and "Hagenow – 1: 0, 2: 0, 3: 1" in text
    assert en("Answers: {answered} of {total} asked").format(answered=3, total=3) in text
    await staff.press(en("As a bar chart"))
    chart = staff.replies[0].document
    assert chart is not None and chart.mime_type == "image/png"
    assert Image.open(io.BytesIO(chart.content)).size[0] == 900
    await staff.press(en("As CSV for other programs"))
    spreadsheet = staff.replies[0].document
    assert spreadsheet is not None
    rows = list(csv.reader(io.StringIO(spreadsheet.content.decode("utf-8-sig")), delimiter=";"))
    assert sorted(row[1] for row in rows[1:]) == [
        "Deutschkurse am Abend",
        "Deutschkurse am Abend",
        "Fahrdienst",
    ]

    clock.advance(days=8)
    await newcomers[2].press_data("survey:1:0")
    assert newcomers[2].replies[0].text == gettext(app, "uk")("This survey is closed.")


async def test_free_text_answers_are_for_staff_only(app: App) -> None:
    staff = await staff_member(app)
    chats = await everyone(app)
    await ask(staff, options=None, role="Volunteers")
    volunteer = chats["v-fa-hagenow"]
    question_of(volunteer)
    fa = gettext(app, "fa")
    await volunteer.press(fa("Write my answer"))
    await volunteer.send("یک اتاق گرم برای جلسه <و> قهوه")
    assert volunteer.replies[0].text.startswith(
        fa("Thank you. Your answer: {answer}. You can change it until {date}.")[:5]
    )
    await staff.send("/results")
    await staff.press(staff.labels[0])
    assert "یک اتاق گرم برای جلسه &lt;و&gt; قهوه" in "".join(r.text for r in staff.replies)
    await volunteer.send("/results")
    assert volunteer.replies[0].text == fa("Sorry, only staff of the district office can do that.")


async def test_people_outside_the_audience_cannot_answer(app: App) -> None:
    staff = await staff_member(app)
    chats = await everyone(app)
    await ask(staff, role="Newcomers")
    volunteer = chats["v-de-parchim"]
    await volunteer.press_data("survey:1:0")
    assert volunteer.replies[0].text == gettext(app, "de")("That button is no longer valid.")


async def test_people_asked_can_answer_after_muting_or_moving_away(
    app: App, clock: FakeClock
) -> None:
    staff = await staff_member(app)
    chats = await everyone(app)
    await ask(staff, role="Newcomers", regions=["Parchim"])
    muting, moving = chats["n-de-parchim"], chats["n-ar-parchim"]
    buttons = {}
    for chat in (muting, moving):
        question_of(chat)
        buttons[chat.address] = [choice.data for choice in chat.choices]
    await muting.send("/settings")
    await muting.press(gettext(app, "de")("Mute announcements"))
    await moving.send("/settings")
    await moving.press(gettext(app, "ar")("Change region"))
    await moving.press("Hagenow")

    for chat, locale in ((muting, "de"), (moving, "ar")):
        t = app.catalogs.translator(locale)
        thanks = t.gettext("Thank you. Your answer: {answer}. You can change it until {date}.")
        closes = t.format_datetime(clock.now() + timedelta(days=7))
        await chat.press_data(buttons[chat.address][1])
        assert chat.replies[0].text == thanks.format(answer="Kinderbetreuung", date=closes)
        await chat.press_data(buttons[chat.address][2])  # changed
        assert chat.replies[0].text == thanks.format(answer="Fahrdienst", date=closes)
    outsider = chats["n-uk-hagenow"]
    await outsider.press_data(buttons[muting.address][0])
    assert outsider.replies[0].text == gettext(app, "uk")("That button is no longer valid.")

    en = gettext(app, "en")
    await staff.send("/results")
    await staff.press(staff.labels[0])
    assert en("Answers: {answered} of {total} asked").format(answered=2, total=2) in staff.text
    assert "3. Fahrdienst: 2" in staff.text


async def test_the_questions_queue_behind_replies_to_people_chatting(app: App) -> None:
    staff = await staff_member(app)
    await everyone(app)
    await ask(staff, role="Newcomers")
    async with app.database.transaction() as session:
        priorities = (
            await session.scalars(
                select(OutboxMessage.priority).where(OutboxMessage.dedup_key.like("survey:%:ask:%"))
            )
        ).all()
    assert priorities == [ANNOUNCEMENT_PRIORITY] * 3


@pytest.mark.parametrize(
    "data",
    [
        "survey:abc:1",
        "survey:1",
        "survey:1:x",
        "survey::",
        "survey:1:0:0",
        "surveytext:abc",
        "surveytext:",
    ],
)
async def test_forged_or_broken_survey_buttons_are_refused_politely(app: App, data: str) -> None:
    chat = await person(app, "n-de", "de", role="I am new in the district")
    await chat.press_data(data)
    assert chat.replies[0].text == gettext(app, "de")("That button is no longer valid.")


async def test_the_chart_shows_each_option_per_region(app: App, clock: FakeClock) -> None:
    staff = await staff_member(app)
    chats = await everyone(app)
    await ask(staff, role="Newcomers")
    for address, option in (
        ("n-de-parchim", "Kinderbetreuung"),
        ("n-ar-parchim", "Deutschkurse am Abend"),
        ("n-uk-hagenow", "Deutschkurse am Abend"),
    ):
        question_of(chats[address])
        await chats[address].press(option)

    en = gettext(app, "en")
    await staff.send("/results")
    await staff.press(staff.labels[0])
    await staff.press(en("As a bar chart"))
    chart = staff.replies[0].document
    assert chart is not None
    image = Image.open(io.BytesIO(chart.content))
    assert image.format == "PNG" and image.size[0] == 900 and 150 < image.size[1] < 600
    async with app.database.transaction() as session:
        survey = await session.scalar(select(Survey))
        assert survey is not None and survey.created_by is not None
        desk = SurveyDesk(
            session,
            actor_user_id=survey.created_by,
            actor_is_staff=True,
            now=clock.now(),
            tz=app.settings.tz,
        )
        results = await desk.results(survey.id)
        answered = await session.scalar(select(func.count()).select_from(SurveyAnswer))
    names = [region for region, _ in results.by_region]
    segments = region_segments(results.by_region, len(OPTIONS))
    assert [[(names[place], count) for place, count in bar] for bar in segments] == [
        [("Hagenow", 1), ("Parchim", 1)],
        [("Parchim", 1)],
        [],
    ]
    assert [sum(count for _, count in bar) for bar in segments] == list(results.counts)
    assert sum(results.counts) == answered == 3
    drawn = {colour for _, colour in image.convert("RGB").getcolors(1 << 20) or []}
    for colour in region_colours(results.by_region):
        assert ImageColor.getrgb(colour) in drawn
