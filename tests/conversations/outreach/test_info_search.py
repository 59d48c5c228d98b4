"""A typed question in /info, as a newcomer asks it: a sentence in their language finds the
right topic first, text typed after an article is a new search, and a question that finds
nothing offers every topic."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.db.models import InfoArticle
from tests.conversations.meetings.test_invitations import person
from tests.conversations.people.test_onboarding import gettext


async def test_an_arabic_sentence_finds_the_school_first_and_after_an_article_too(
    app: App,
) -> None:
    chat = await person(app, "amal", "ar", role="I am new in the district")
    ar = gettext(app, "ar")
    await chat.send("أين أجد مدرسة لابني؟")
    assert chat.replies[0].text.startswith(ar("I found these topics:"))
    assert chat.labels[0] == "المدرسة ورعاية الأطفال"
    await chat.press("المدرسة ورعاية الأطفال")
    assert chat.replies[0].text.startswith("<b>المدرسة ورعاية الأطفال</b>")
    assert chat.replies[-1].text.startswith(ar("Anything else?"))
    await chat.send("أحتاج دكتور لابنتي")  # typed after the article: a new search
    assert chat.replies[0].text.startswith(ar("I found these topics:"))
    assert chat.labels[0] == "الصحة وحالات الطوارئ"
    await chat.press("الصحة وحالات الطوارئ")
    await chat.send("دکتر")  # the Persian spelling finds the same topic
    assert chat.labels[0] == "الصحة وحالات الطوارئ"


async def test_everyday_words_in_every_language_find_the_doctor(app: App) -> None:
    chat = await person(app, "olena", "uk", role="I am new in the district")
    for word in ("Arzt", "Doktor", "doctor", "طبيب", "دكتور", "دکتر", "پزشک", "лікар", "врач"):
        await chat.send("/info")
        await chat.send(word)
        assert chat.labels[0] == "Здоров'я та надзвичайні ситуації", word


async def test_a_question_that_finds_nothing_offers_every_topic(app: App) -> None:
    chat = await person(app, "ben", "en", role="I am new in the district")
    en = gettext(app, "en")
    await chat.send("/info")
    await chat.press("Health and emergencies")
    await chat.send("xylophone")  # after an article
    assert chat.replies[0].text == en("I found nothing on that. Please choose a topic.")
    assert chat.replies[-1].text.startswith(
        en("What would you like to know? Choose a topic, or just type your question.")
    )
    assert chat.labels[:2] == ["German courses and language help", "School and childcare"]
    await chat.press("School and childcare")
    assert chat.replies[0].text.startswith("<b>School and childcare</b>")


async def test_keywords_are_stored_with_the_topic_but_never_shown(app: App) -> None:
    async with app.database.transaction() as session:
        stored = await session.scalar(
            select(InfoArticle).where(InfoArticle.topic == "health", InfoArticle.locale == "fa")
        )
    assert stored is not None
    assert "پزشک" in stored.body.partition("\x1f")[2]
    chat = await person(app, "sara", "fa", role="I am new in the district")
    await chat.send("/info")
    await chat.press(stored.title)
    assert "Krankenkasse, " not in chat.text
    assert "اورژانس, " not in chat.text
    assert "112" in chat.text
