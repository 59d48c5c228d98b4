"""A typed question in /info, as a newcomer asks it: a sentence in their language finds the
right topic first, text typed after an article is a new search, and a question that finds
nothing offers every topic."""

from __future__ import annotations

import pytest
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


# Questions about § 24 and work, applying for the integration course, a helpline in another
# language than German, and the waste collection, each with the title of the topic that answers it.
QUESTIONS = {
    "de": [
        ("Darf ich mit §24 arbeiten?", "Arbeit und Anerkennung von Abschlüssen"),
        ("Kann ich den Integrationskurs selbst beantragen?", "Deutschkurse und Sprachhilfe"),
        ("Wo ist eine Hotline auf Arabisch?", "Beratung und Kontakte"),
        ("Wann wird der Müll abgeholt?", "Freizeit, Vereine und Mitmachen"),
    ],
    "en": [
        ("Can I be self-employed with § 24?", "Work and recognition of qualifications"),
        ("Can I apply for the integration course myself?", "German courses and language help"),
        ("Where is a helpline in Arabic?", "Counselling and contacts"),
        ("When is the garbage collected?", "Leisure, clubs and taking part"),
    ],
    "ar": [
        ("هل يمكنني العمل مع المادة 24؟", "العمل والاعتراف بالمؤهلات"),
        ("كيف أقدم طلب القبول في دورة الاندماج؟", "دورات اللغة الألمانية والمساعدة اللغوية"),
        ("أين أجد خط مساعدة بالعربية؟", "الاستشارات وجهات الاتصال"),
        ("متى يتم جمع القمامة؟", "أوقات الفراغ والنوادي والمشاركة"),
    ],
    "fa": [
        ("آیا با ماده ۲۴ می‌توانم کار کنم؟", "کار و به رسمیت شناختن مدارک"),
        ("چطور برای کلاس ادغام درخواست پذیرش بدهم؟", "کلاس‌های زبان آلمانی و کمک زبانی"),
        ("خط تلفن کمک به فارسی", "مشاوره و اطلاعات تماس"),
        ("زباله کی جمع می‌شود؟", "اوقات فراغت، باشگاه‌ها و مشارکت"),
    ],
    "uk": [
        ("Чи можу я працювати з § 24?", "Робота та визнання кваліфікації"),
        ("Як подати заяву на інтеграційний курс?", "Курси німецької мови та мовна допомога"),
        ("Телефон довіри російською", "Консультації та контакти"),
        ("Коли вивозять сміття?", "Дозвілля, клуби та участь"),
    ],
    "ru": [
        ("Можно ли работать на себя с § 24?", "Работа и признание квалификации"),
        ("Как подать заявление на интеграционный курс?", "Курсы немецкого языка и языковая помощь"),
        ("Телефон доверия на русском", "Консультации и контакты"),
        ("Когда вывозят мусор?", "Досуг, клубы и участие"),
    ],
}


@pytest.mark.parametrize("locale", list(QUESTIONS))
async def test_questions_about_work_courses_helplines_and_waste_find_their_topic(
    app: App, locale: str
) -> None:
    chat = await person(app, f"asker-{locale}", locale, role="I am new in the district")
    for question, title in QUESTIONS[locale]:
        await chat.send("/info")
        await chat.send(question)
        assert chat.labels[0] == title, question


async def test_the_topics_found_give_the_answers(app: App) -> None:
    chat = await person(app, "nadia", "en", role="I am new in the district")
    answers = [
        ("Can I work with § 24?", "Work and recognition of qualifications", "Erwerbstätigkeit"),
        (
            "Can I apply for the integration course myself?",
            "German courses and language help",
            "Antrag auf Zulassung zu einem Integrationskurs",
        ),
        ("Where is a helpline in Arabic?", "Counselling and contacts", "030 443 509 821"),
        ("Who collects the rubbish?", "Leisure, clubs and taking part", "alp-lup.de"),
    ]
    for question, title, answer in answers:
        await chat.send("/info")
        await chat.send(question)
        await chat.press(title)
        assert chat.replies[0].text.startswith(f"<b>{title}</b>")
        assert answer in chat.text, question
