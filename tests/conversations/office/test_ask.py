"""Ask the office: the whole life of a question (ask, take, answer, reply, solve) in German,
Arabic and Ukrainian; the limit of waiting questions; closing with a reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from bot.channels.html import html_to_plain
from bot.db.models import AuditEntry, Question, QuestionMessage
from conversations.messages import InboundKind, Reply
from tests.chat import Chat
from tests.conversations.grants.test_review import staff_member
from tests.conversations.grants.test_review_own import make_staff
from tests.conversations.meetings.test_invitations import person
from tests.conversations.people.test_onboarding import gettext

NEWCOMER = "I am new in the district"
QUESTIONS = {
    "de": "Darf meine Frau den Deutschkurs in Lübz besuchen?",
    "ar": "هل يمكن لزوجتي حضور دورة اللغة الألمانية في لوبز؟",
    "uk": "Чи може моя дружина відвідувати курс німецької в Любці?",
}


def plain(replies: list[Reply]) -> str:
    return "\n".join(html_to_plain(reply.text) for reply in replies)


async def rolf(app: App) -> Chat:
    """A second member of staff, of the same office."""
    await make_staff(app, "staff-rolf")
    return await person(app, "staff-rolf", "en", role="I work for the district office")


async def ask(chat: Chat, text: str) -> str:
    """Ask through /ask and send; the reference shown."""
    await chat.send("/ask")
    await chat.send(text)
    t = gettext(chat.app, chat.language_code or "de")
    await chat.press(t("Send to the office"))
    async with chat.app.database.transaction() as session:
        reference = await session.scalar(select(Question.reference).order_by(Question.id.desc()))
    assert reference is not None and reference in chat.text
    return reference


def notice_of(replies: list[Reply], reference: str) -> Reply:
    return next(r for r in replies if reference in r.text and r.choices)


@pytest.mark.parametrize("locale", ["de", "ar", "uk"])
async def test_the_whole_life_of_a_question(app: App, locale: str) -> None:
    petra = await staff_member(app)
    other = await rolf(app)
    newcomer = await person(app, f"n-{locale}", locale, role=NEWCOMER, region="Hagenow")
    t = gettext(app, locale)
    en = gettext(app, "en")
    petra.channel.take("admin")
    other.channel.take("staff-rolf")

    reference = await ask(newcomer, QUESTIONS[locale])
    assert reference.startswith("F-2026-")
    # Both staff get one notice with name, role, region, language and the question.
    [to_petra] = petra.channel.take("admin")
    [to_rolf] = other.channel.take("staff-rolf")
    for notice in (to_petra, to_rolf):
        text = html_to_plain(notice.text)
        assert QUESTIONS[locale] in text and f"N-{locale.title()}" in text
        assert "Hagenow" in text and en("newcomer") in text
        assert [c.label for c in notice.all_choices()] == ["Take it", "Answer", "Close"]

    # Petra takes it; Rolf's copy is edited in place to say so, without "Take it".
    petra.replies = [to_petra]
    await petra.press("Take it")
    assert f"You took question {reference}" in petra.text
    edits = other.channel.edited["staff-rolf"]
    assert edits, "Rolf's copy was not edited"
    [edited] = edits.values()
    assert "Taken by Petra." in html_to_plain(edited.text)
    assert "Take it" not in [c.label for c in edited.all_choices()]
    # Rolf's stale "Take it" does not take it from her.
    other.replies = [to_rolf]
    await other.press("Take it")
    assert "Taken by Petra." in other.text

    # Petra answers in German; the newcomer gets it under a heading in their language.
    await petra.press("Answer")
    await petra.send("Ja, der Kurs in Lübz ist offen für alle. Anmeldung bei der VHS.")
    assert f"Your answer to {reference} was sent" in petra.text
    [answer] = newcomer.channel.take(newcomer.address)
    heading = t("Answer from the district office to your question {reference}").format(
        reference=reference
    )
    assert html_to_plain(answer.text).startswith(heading)
    assert "Anmeldung bei der VHS" in answer.text

    # The newcomer replies: it reaches Petra, who took it, and not Rolf.
    newcomer.replies = [answer]
    await newcomer.press(t("Reply"))
    await newcomer.send("Und wann beginnt der nächste Kurs?" if locale == "de" else "متى؟")
    to_petra_reply = petra.channel.take("admin")
    assert any(f"replied to question {reference}" in html_to_plain(r.text) for r in to_petra_reply)
    assert not [r for r in other.channel.take("staff-rolf") if "replied" in html_to_plain(r.text)]

    # Petra answers again; the newcomer says it is solved.
    petra.replies = to_petra_reply
    await petra.press("Answer")
    await petra.send("Am 12. Januar.")
    [again] = newcomer.channel.take(newcomer.address)
    newcomer.replies = [again]
    await newcomer.press(t("Solved, thank you"))
    assert reference in newcomer.text

    async with app.database.transaction() as session:
        question = await session.scalar(select(Question))
        assert question is not None
        assert (question.status, question.closed_reason) == ("solved", "solved")
        assert question.first_answer_at is not None and question.closed_at is not None
        messages = (await session.scalars(select(QuestionMessage))).all()
        assert [m.from_staff for m in messages] == [False, True, False, True]
        actions = (await session.scalars(select(AuditEntry.action))).all()
        assert {"question.take", "question.answer"} <= set(actions)


async def test_at_most_three_questions_wait_at_once(app: App) -> None:
    await staff_member(app)
    newcomer = await person(app, "n-en", "en", role=NEWCOMER)
    for number in range(3):
        await ask(newcomer, f"Question number {number} about the course")
    await newcomer.send("/ask")
    assert "You already have 3 questions waiting" in newcomer.text
    async with app.database.transaction() as session:
        assert len((await session.scalars(select(Question))).all()) == 3


async def test_staff_close_a_duplicate_and_the_person_is_told(app: App) -> None:
    petra = await staff_member(app)
    newcomer = await person(app, "n-en", "en", role=NEWCOMER)
    petra.channel.take("admin")
    reference = await ask(newcomer, "Where do I register my address?")
    petra.replies = petra.channel.take("admin")
    await petra.press("Close")
    await petra.press("a duplicate")
    assert f"Question {reference} is closed." in petra.text
    [told] = newcomer.channel.take("n-en")
    assert f"closed your question {reference} (a duplicate)" in told.text
    await petra.send("/questions")
    assert "No question is waiting" in petra.text
    async with app.database.transaction() as session:
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "question.close")
        )
        assert entry is not None and entry.details == {"reason": "duplicate"}


async def test_questions_lists_the_oldest_first_with_age_and_who_took_them(app: App) -> None:
    petra = await staff_member(app)
    first = await person(app, "n-en", "en", role=NEWCOMER)
    second = await person(app, "v-en", "en")
    one = await ask(first, "Is there a bus to Parchim on Sundays?")
    two = await ask(second, "May we spend the grant on bus tickets?")
    await petra.send("/questions")
    assert petra.text.index(one) < petra.text.index(two)
    assert "Nobody has taken it yet." in petra.text
    await petra.press(one)
    assert "Is there a bus to Parchim on Sundays?" in petra.text


async def test_a_photo_and_a_voice_note_go_to_staff(app: App) -> None:
    petra = await staff_member(app)
    newcomer = await person(app, "n-en", "en", role=NEWCOMER)
    petra.channel.take("admin")
    await newcomer.send("/ask")
    await newcomer.send_file("voice.ogg", 2000, kind=InboundKind.VOICE, mime_type="audio/ogg")
    await newcomer.send("This letter came today, what does it mean?")
    await newcomer.send_file("letter.pdf", 3000)
    assert "and 2 files" in newcomer.text
    await newcomer.press("Send to the office")
    sent = petra.channel.take("admin")
    assert "2 files, sent below." in html_to_plain(sent[0].text)
    forwards = [r.forward for r in sent if r.forward is not None]
    assert [f.file_ref for f in forwards] == ["file-voice.ogg", "file-letter.pdf"]
    assert forwards[0].kind == "voice"
