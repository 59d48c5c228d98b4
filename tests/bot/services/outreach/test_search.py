"""Search in the information library: questions as people type them, in sentences and in their
own words, each find the right topic first, in all six languages; small talk finds nothing."""

from __future__ import annotations

from functools import cache

import pytest

from bot.services.outreach.search import (
    QUERY_WORDS_MOST,
    Document,
    one_edit,
    query_words,
    topic_scores,
)
from bot.services.outreach.topic_files import load_directory

COURSES, SCHOOL, DOCUMENTS = "german-courses", "school-childcare", "documents"
HEALTH, WORK, COUNSELLING, LEISURE = "health", "work", "counselling", "leisure"

QUESTIONS = {
    "de": [
        ("Wo finde ich einen Arzt für mein Kind?", HEALTH),
        ("Ich brauche einen Doktor, mein Sohn hat Fieber", HEALTH),
        ("Welche Nummer rufe ich im Notfall an?", HEALTH),
        ("Wo bekomme ich Medikamente ohne Rezept?", HEALTH),
        ("Wie melde ich mich zum Integrationskurs an?", COURSES),
        ("Ich möchte Deutsch lernen, wo gibt es Kurse?", COURSES),
        ("Gibt es einen kostenlosen Sprachkurs in meiner Nähe?", COURSES),
        ("Wie finde ich einen Kitaplatz für meine Tochter?", SCHOOL),
        ("Mein Kind muss in die Schule, wie melde ich es an?", SCHOOL),
        ("Ab welchem Alter gilt die Schulpflicht?", SCHOOL),
        ("Mein Sohn braucht einen Platz in der Schule", SCHOOL),
        ("Wie melde ich meine neue Wohnung an?", DOCUMENTS),
        ("Mein Aufenthaltstitel läuft bald ab, was muss ich tun?", DOCUMENTS),
        ("Ich habe einen Brief vom Amt bekommen und verstehe ihn nicht", DOCUMENTS),
        ("Wo beantrage ich Kindergeld?", DOCUMENTS),
        ("Darf ich in Deutschland arbeiten?", WORK),
        ("Wie kann ich meinen Abschluss anerkennen lassen?", WORK),
        ("Ich suche eine Arbeit oder eine Ausbildung", WORK),
        ("Wo bekomme ich kostenlose Beratung und einen Dolmetscher?", COUNSELLING),
        ("Ich brauche einen Anwalt für mein Asylverfahren", COUNSELLING),
        ("Gibt es einen Sportverein für Jugendliche?", LEISURE),
        ("Wann wird der Müll abgeholt?", LEISURE),
        ("Wie kann ich Leute kennenlernen und Freunde finden?", LEISURE),
    ],
    "en": [
        ("Where can I find a doctor for my child?", HEALTH),
        ("My daughter is sick, what should I do?", HEALTH),
        ("I need a doctor for my son", HEALTH),
        ("What number do I call in an emergency?", HEALTH),
        ("Do I need health insurance?", HEALTH),
        ("How do I sign up for an integration course?", COURSES),
        ("I want to learn German, where are free classes?", COURSES),
        ("Is there a language course near me?", COURSES),
        ("How do I find a kindergarten place for my son?", SCHOOL),
        ("My kids need to go to school, how do I register them?", SCHOOL),
        ("Is there daycare for small children?", SCHOOL),
        ("How do I register my new address?", DOCUMENTS),
        ("My residence permit expires soon, what now?", DOCUMENTS),
        ("I got a letter from the authorities and don't understand it", DOCUMENTS),
        ("Where do I apply for child benefit?", DOCUMENTS),
        ("Am I allowed to work in Germany?", WORK),
        ("How can I get my diploma recognised?", WORK),
        ("I am looking for a job or an apprenticeship", WORK),
        ("Where can I get free advice and an interpreter?", COUNSELLING),
        ("I need a lawyer for my asylum case", COUNSELLING),
        ("Is there a football club for teenagers?", LEISURE),
        ("When is the rubbish collected?", LEISURE),
        ("How can I meet new friends and find a hobby?", LEISURE),
    ],
    "ar": [
        ("أين أجد مدرسة لابني؟", SCHOOL),
        ("أحتاج دكتور لابنتي", HEALTH),
        ("كيف أسجل طفلي في الروضة؟", SCHOOL),
        ("هل المدرسة مجانية للأطفال؟", SCHOOL),
        ("أين أجد طبيب أطفال؟", HEALTH),
        ("أحتاج دكتور، ابنتي عندها حرارة", HEALTH),
        ("ما هو رقم الإسعاف في الطوارئ؟", HEALTH),
        ("كيف أحصل على دواء من الصيدلية؟", HEALTH),
        ("كيف أسجل في دورة الاندماج؟", COURSES),
        ("أريد أن أتعلم اللغة الألمانية", COURSES),
        ("هل توجد دورات لغة مجانية؟", COURSES),
        ("إقامتي ستنتهي قريبا، ماذا أفعل؟", DOCUMENTS),
        ("وصلتني رسالة من دائرة الأجانب ولا أفهمها", DOCUMENTS),
        ("كيف أسجل عنوان السكن الجديد؟", DOCUMENTS),
        ("هل يمكنني العمل في ألمانيا؟", WORK),
        ("كيف أعادل شهادتي الجامعية؟", WORK),
        ("أبحث عن وظيفة أو تدريب مهني", WORK),
        ("أحتاج استشارة قانونية ومحامي", COUNSELLING),
        ("أين أجد مترجم ومساعدة في مشاكلي؟", COUNSELLING),
        ("هل يوجد نادي رياضة للشباب؟", LEISURE),
        ("متى يتم جمع القمامة؟", LEISURE),
        ("كيف أتعرف على أصدقاء جدد؟", LEISURE),
    ],
    "fa": [
        ("کجا می‌تونم دکتر پیدا کنم؟", HEALTH),
        ("برای بچه‌ام پزشک اطفال می‌خواهم", HEALTH),
        ("در موارد اضطراری به کجا زنگ بزنم؟", HEALTH),
        ("داروخانه کشیک کجاست؟", HEALTH),
        ("چطور در کلاس ادغام ثبت نام کنم؟", COURSES),
        ("می‌خواهم زبان آلمانی یاد بگیرم", COURSES),
        ("کلاس زبان رایگان هست؟", COURSES),
        ("مدرسه برای پسرم کجا پیدا کنم؟", SCHOOL),
        ("چطور بچه‌ام را در مهدکودک ثبت نام کنم؟", SCHOOL),
        ("آیا مدرسه برای کودکان اجباری است؟", SCHOOL),
        ("اقامتم تمام می‌شود، چه کار کنم؟", DOCUMENTS),
        ("یک نامه از اداره گرفتم و نمی‌فهمم", DOCUMENTS),
        ("چطور آدرس جدیدم را ثبت کنم؟", DOCUMENTS),
        ("پاسپورتم را گم کردم", DOCUMENTS),
        ("آیا اجازه کار در آلمان دارم؟", WORK),
        ("چطور مدرک تحصیلی‌ام را به رسمیت بشناسند؟", WORK),
        ("دنبال شغل می‌گردم", WORK),
        ("به مشاوره حقوقی و وکیل نیاز دارم", COUNSELLING),
        ("یک مترجم برای کمک لازم دارم", COUNSELLING),
        ("باشگاه فوتبال برای جوانان هست؟", LEISURE),
        ("زباله‌ها را چه روزی می‌برند؟", LEISURE),
        ("چطور با همسایه‌ها آشنا شوم و دوست پیدا کنم؟", LEISURE),
    ],
    "uk": [
        ("Як записатися на інтеграційний курс?", COURSES),
        ("Де можна безкоштовно вивчати німецьку мову?", COURSES),
        ("Чи є мовні курси поруч?", COURSES),
        ("Де знайти лікаря для дитини?", HEALTH),
        ("У сина висока температура, що робити?", HEALTH),
        ("Куди дзвонити, якщо потрібна швидка?", HEALTH),
        ("Чи потрібна мені медична страховка?", HEALTH),
        ("Як влаштувати дитину в садок?", SCHOOL),
        ("Як записати доньку до школи?", SCHOOL),
        ("З якого віку діти ходять до школи?", SCHOOL),
        ("Моя посвідка на проживання закінчується, що робити?", DOCUMENTS),
        ("Я отримав лист від відомства і не розумію його", DOCUMENTS),
        ("Як зареєструвати нову адресу?", DOCUMENTS),
        ("Де подати заяву на кіндергельд?", DOCUMENTS),
        ("Чи можу я працювати в Німеччині?", WORK),
        ("Як визнати мій диплом?", WORK),
        ("Шукаю роботу або аусбільдунг", WORK),
        ("Де отримати безкоштовну консультацію і перекладача?", COUNSELLING),
        ("Мені потрібен адвокат", COUNSELLING),
        ("Чи є спортивний клуб для молоді?", LEISURE),
        ("Коли вивозять сміття?", LEISURE),
        ("Як познайомитися з сусідами та знайти друзів?", LEISURE),
    ],
    "ru": [
        ("Как записаться на интеграционный курс?", COURSES),
        ("Где можно бесплатно учить немецкий язык?", COURSES),
        ("Есть ли языковые курсы рядом?", COURSES),
        ("Где найти врача для ребёнка?", HEALTH),
        ("У дочки высокая температура, что делать?", HEALTH),
        ("Куда звонить, если нужна скорая помощь?", HEALTH),
        ("Нужна ли мне медицинская страховка?", HEALTH),
        ("Как устроить ребенка в детский сад?", SCHOOL),
        ("Как записать сына в школу?", SCHOOL),
        ("С какого возраста дети ходят в школу?", SCHOOL),
        ("Мой вид на жительство заканчивается, что делать?", DOCUMENTS),
        ("Я получил письмо из ведомства и не понимаю его", DOCUMENTS),
        ("Как зарегистрировать новый адрес?", DOCUMENTS),
        ("Где подать заявление на киндергельд?", DOCUMENTS),
        ("Могу ли я работать в Германии?", WORK),
        ("Как признать мой диплом?", WORK),
        ("Ищу работу или аусбильдунг", WORK),
        ("Где получить бесплатную консультацию и переводчика?", COUNSELLING),
        ("Мне нужен адвокат", COUNSELLING),
        ("Есть ли спортивный клуб для молодёжи?", LEISURE),
        ("Когда вывозят мусор?", LEISURE),
        ("Как познакомиться с соседями и найти друзей?", LEISURE),
    ],
}


@cache
def shipped() -> tuple[Document, ...]:
    return tuple(
        Document(article.topic, article.title, article.keywords, article.body)
        for article in load_directory()
    )


def ranked(question: str) -> list[str]:
    scores = topic_scores(question, shipped())
    return sorted(scores, key=lambda topic: -scores[topic])


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        pytest.param(question, topic, id=f"{locale}-{number}")
        for locale, questions in QUESTIONS.items()
        for number, (question, topic) in enumerate(questions, start=1)
    ],
)
def test_a_question_finds_its_topic_first(question: str, topic: str) -> None:
    assert ranked(question)[:1] == [topic]


def test_at_least_twenty_questions_in_every_language() -> None:
    assert sorted(QUESTIONS) == sorted(["de", "en", "ar", "fa", "uk", "ru"])
    assert all(len(questions) >= 20 for questions in QUESTIONS.values())


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        # Everyday words for a doctor in every language, each alone.
        *((word, HEALTH) for word in ("Arzt", "Ärztin", "Doktor", "doctor", "طبيب", "دكتور")),
        *((word, HEALTH) for word in ("دکتر", "پزشک", "лікар", "врач")),
        # One typo in a longer word is forgiven.
        ("Integrationskurz", COURSES),
        ("Ausländerbehörte", DOCUMENTS),
        ("hospitl", HEALTH),
        ("Kindergarden", SCHOOL),
        ("лікарьня", HEALTH),
        # Letters written two ways: hamza, ta marbuta, Persian and Arabic yeh and kaf, ё.
        ("مدرسه", SCHOOL),
        ("اطفال", SCHOOL),
        ("دكتر", HEALTH),
        ("پزشك", HEALTH),
        ("ребёнок в садик", SCHOOL),
        # Persian and Arabic-Indic digits are digits.
        ("۱۱۲", HEALTH),
        ("١١٢", HEALTH),
    ],
)
def test_everyday_words_typos_and_spellings(question: str, topic: str) -> None:
    assert ranked(question)[:1] == [topic]


@pytest.mark.parametrize(
    "question",
    [
        "Hallo, ich bin neu",
        "Wie geht es dir?",
        "Привет, как дела?",
        "Wann ist das Treffen?",
        "مرحبا، كيف حالك؟",
        "سلام، خوبی؟",
        "Привіт, як справи?",
        "Thanks, that was all",
        "xylophone",
        "max@example.org https://www.example.org/doctor",
    ],
)
def test_small_talk_finds_nothing(question: str) -> None:
    assert ranked(question) == []


def test_stop_words_of_every_language_are_left_out() -> None:
    assert query_words("Wo finde ich die Schule? Where is the school? أين المدرسة؟") == [
        "schule",
        "school",
        "مدرسه",
    ]
    assert query_words("Де мій лікар? Где мой врач? دکتر من کجاست؟") == ["лікар", "врач", "دكتر"]


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("schule", "schule", True),
        ("schule", "shcule", True),  # two neighbours swapped
        ("schule", "schulen", True),
        ("schule", "schle", True),
        ("schule", "schüle", True),
        ("schule", "schalle", False),
        ("schule", "chulen", False),
        ("arzt", "arztin", False),
    ],
)
def test_one_edit(a: str, b: str, near: bool) -> None:
    assert one_edit(a, b) is near
    assert one_edit(b, a) is near


def test_only_the_first_words_of_a_long_message_are_looked_for() -> None:
    # Every word is held against every topic's words: a message of thousands of words would
    # hold up the bot for seconds.
    words = [f"wort{number}" for number in range(QUERY_WORDS_MOST * 50)]
    assert query_words(" ".join(words)) == words[:QUERY_WORDS_MOST]
