"""What the office learns from questions: /stats and the export count them per region and
language with the median wait for a first answer; an answered question becomes a keyword that
/info then finds, or a topic draft newcomers do not see; staff removed lose the buttons' power."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from bot.app import App
from bot.db.models import InfoArticle, Question
from tests.chat import Chat
from tests.conftest import FakeClock
from tests.conversations.grants.test_review import staff_member
from tests.conversations.grants.test_review_own import make_staff
from tests.conversations.meetings.test_invitations import person
from tests.conversations.office.test_ask import NEWCOMER, ask, notice_of, rolf
from tests.conversations.people.test_onboarding import gettext

BICYCLE = "Де можна полагодити велосипед недорого?"  # where to mend a bicycle cheaply


async def answered(staff: Chat, asker: Chat, text: str, clock: FakeClock, hours: int) -> str:
    """`asker` asks; `staff` answers `hours` later."""
    staff.channel.take(staff.address)
    reference = await ask(asker, text)
    staff.replies = [notice_of(staff.channel.take(staff.address), reference)]
    clock.advance(hours=hours)
    await staff.press("Answer")
    await staff.send("Fahrradwerkstatt im Jugendclub, dienstags 16 Uhr.")
    asker.channel.take(asker.address)
    return reference


async def thread_of(staff: Chat, reference: str) -> int:
    """The staff's view of the thread (as the /questions list and reminders open it)."""
    async with staff.app.database.transaction() as session:
        question_id = await session.scalar(
            select(Question.id).where(Question.reference == reference)
        )
    assert question_id is not None
    await staff.press_data(f"qshow:{question_id}")
    return question_id


async def test_stats_and_export_count_per_region_and_language_with_the_median(
    app: App, clock: FakeClock
) -> None:
    petra = await staff_member(app)
    hagenow = await person(app, "n-uk", "uk", role=NEWCOMER, region="Hagenow")
    parchim = await person(app, "n-ar", "ar", role=NEWCOMER, region="Parchim")
    await answered(petra, hagenow, "Чи є курс німецької ввечері?", clock, hours=2)
    await answered(petra, hagenow, "Де знайти лікаря-педіатра?", clock, hours=6)
    await answered(petra, parchim, "هل توجد دورة لغة مسائية؟", clock, hours=3)
    await ask(parchim, "أين أجد طبيب أطفال؟")  # not answered yet

    await petra.send("/stats")
    text = petra.text
    assert "Questions to the office" in text
    assert "All: 4 asked, 3 answered; first answer after 3 hours (median)" in text
    assert "Hagenow: 2 asked, 2 answered; first answer after 4 hours (median)" in text
    assert "Parchim: 2 asked, 1 answered; first answer after 3 hours (median)" in text
    assert "Ukrainian: 2 asked, 2 answered" in text and "Arabic: 2 asked, 1 answered" in text

    await petra.send("/export")
    workbook = petra.replies[1].document  # after the note that it is being prepared
    assert workbook is not None
    book = load_workbook(io.BytesIO(workbook.content))
    by_region = [[c.value for c in row] for row in book["Questions by region"].iter_rows()]
    assert by_region == [
        ["Region", "Questions asked", "Questions answered", "Median hours to the first answer"],
        ["Hagenow", 2, 2, 4],
        ["Parchim", 2, 1, 3],
        ["All questions", 4, 3, 3],
    ]
    by_language = [[c.value for c in row] for row in book["Questions by language"].iter_rows()]
    assert by_language[1:3] == [["Arabic", 2, 1, 3], ["Ukrainian", 2, 2, 4]]


async def test_an_answered_question_becomes_a_keyword_that_info_finds(
    app: App, clock: FakeClock
) -> None:
    petra = await staff_member(app)
    newcomer = await person(app, "n-uk", "uk", role=NEWCOMER)
    uk = gettext(app, "uk")
    await newcomer.send("/info")
    await newcomer.send(BICYCLE)
    assert uk("I found nothing on that. Please choose a topic.") in newcomer.text
    reference = await answered(petra, newcomer, BICYCLE, clock, hours=1)

    await thread_of(petra, reference)
    assert "Add as keyword to a topic" in petra.labels
    await petra.press("Add as keyword to a topic")
    await petra.press("Leisure, clubs and taking part")
    assert "/info now finds the topic for this question" in petra.text

    async with app.database.transaction() as session:
        article = await session.scalar(
            select(InfoArticle).where(InfoArticle.topic == "leisure", InfoArticle.locale == "uk")
        )
        # The question's search words, without its small words ("Де", "можна").
    assert article is not None and "полагодити велосипед недорого" in article.body
    assert BICYCLE.rstrip("?") not in article.body
    await newcomer.send("/info")
    await newcomer.send(BICYCLE)
    assert uk("I found these topics:") in newcomer.text


async def test_a_topic_draft_waits_unseen_until_staff_import_it(app: App, clock: FakeClock) -> None:
    petra = await staff_member(app)
    newcomer = await person(app, "n-uk", "uk", role=NEWCOMER)
    reference = await answered(petra, newcomer, BICYCLE, clock, hours=1)
    await thread_of(petra, reference)
    await petra.press("Draft a new topic")
    draft = petra.replies[0].document
    assert draft is not None and draft.name == f"question-{reference.lower()}.en.md"
    assert "newcomers do not see it yet" in petra.text
    # Unpublished: not listed, not found.
    await newcomer.send("/info")
    assert BICYCLE not in newcomer.labels
    await newcomer.send(BICYCLE)
    assert "I found these topics:" not in newcomer.text
    # Staff finish the file and send it back: now it is published.
    finished = draft.content.decode().replace(f"title: {BICYCLE}", "title: Bicycle repair")
    finished += "\nBring your bicycle; tools and help are free, spare parts cost little.\n"
    await petra.send_file(
        draft.name, len(finished), mime_type="text/markdown", content=finished.encode()
    )
    async with app.database.transaction() as session:
        article = await session.scalar(
            select(InfoArticle).where(InfoArticle.topic == f"question-{reference.lower()}")
        )
        assert article is not None and article.published, petra.text


async def test_staff_removed_lose_the_answer_button_at_once(app: App) -> None:
    await staff_member(app)
    other = await rolf(app)
    newcomer = await person(app, "n-de", "de", role=NEWCOMER)
    other.channel.take(other.address)
    reference = await ask(newcomer, "Wo ist die Ausländerbehörde?")
    other.replies = [notice_of(other.channel.take(other.address), reference)]
    await make_staff(app, "staff-rolf", staff=False)
    await other.press("Answer")
    assert "only staff of the district office" in other.text
    await other.send("Im Kreishaus.")
    assert not newcomer.channel.take(newcomer.address)  # nothing reached the person
    async with app.database.transaction() as session:
        assert (await session.scalar(select(Question.status))) == "open"


def test_a_keyword_keeps_what_the_question_is_about_and_little_of_the_person() -> None:
    from bot.services.outreach.topic_drafts import keyword_of

    asked = "Kann meine Frau (geb. 12.03.1990, Tel. 0176 1234567, amal@example.org) zum Sprachkurs?"
    keyword = keyword_of(asked)
    assert "sprachkurs" in keyword and "frau" in keyword
    assert not any(ch.isdigit() for ch in keyword)
    assert "example" not in keyword and "," not in keyword
    assert keyword_of("Wie? Was? 123") == ""
