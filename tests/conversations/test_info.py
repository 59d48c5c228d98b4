"""Information for newcomers: topics in the person's language, fall-backs, search across
languages, local contacts, and content files imported by staff or from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import App
from bot.services.info import ContentError, import_articles, load_directory, parse_article
from tests.conversations.test_grant_review import staff_member
from tests.conversations.test_meetings import person
from tests.conversations.test_onboarding import gettext

ARTICLE = """---
topic: {topic}
title: {title}
order: {order}
reviewed: 2026-11-24
---
{body}
"""
TEXTS = {
    ("school", "en"): (
        "School and childcare",
        "School is compulsory for every child in Germany. "
        "Register at the school near your home <with> your papers & reports.",
    ),
    ("school", "uk"): (
        "Школа і догляд за дітьми",
        "Шкільне навчання в Німеччині обов'язкове "
        "для кожної дитини. Зареєструйте дитину в найближчій школі.",
    ),
    ("school", "ar"): (
        "المدرسة ورعاية الأطفال",
        "التعليم المدرسي إلزامي لكل طفل في ألمانيا. سجّل طفلك في أقرب مدرسة إلى منزلك.",
    ),
    ("health", "en"): (
        "Health and emergencies",
        "In a life-threatening emergency call 112. "
        "When your doctor's practice is closed, call 116 117.",
    ),
}


def write(directory: Path, topic: str, locale: str, title: str, body: str, order: int) -> Path:
    folder = directory / topic
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{locale}.md"
    path.write_text(
        ARTICLE.format(topic=topic, title=title, order=order, body=body), encoding="utf-8"
    )
    return path


@pytest.fixture
async def library(app: App, tmp_path: Path) -> Path:
    for (topic, locale), (title, body) in TEXTS.items():
        write(tmp_path, topic, locale, title, body, 1 if topic == "school" else 2)
    articles = [
        parse_article(p.read_text(encoding="utf-8"), source=str(p), locale=p.stem)
        for p in tmp_path.glob("*/*.md")
    ]
    async with app.database.transaction() as session:
        await import_articles(session, articles, now=app.clock.now())
    return tmp_path


async def test_a_ukrainian_newcomer_reads_topics_in_ukrainian(app: App, library: Path) -> None:
    chat = await person(app, "olena", "uk", role="I am new in the district")
    uk = gettext(app, "uk")
    await chat.send("/info")
    assert chat.labels[:2] == ["Школа і догляд за дітьми", "Health and emergencies"]
    await chat.press("Школа і догляд за дітьми")
    assert chat.replies[0].text.startswith("<b>Школа і догляд за дітьми</b>")
    assert "обов'язкове" in chat.replies[0].text
    await chat.press(uk("Other topics"))
    await chat.press("Health and emergencies")
    assert chat.replies[0].text == uk(
        "This topic is not yet available in your language; here it is in {language}."
    ).format(language="English")
    assert "112" in chat.replies[1].text


async def test_typed_questions_find_topics_in_any_language(app: App, library: Path) -> None:
    chat = await person(app, "amal", "ar", role="I am new in the district")
    for question in ("مدرسة", "school", "Where is the next SCHOOL?", "116 117 doctor"):
        await chat.send(question)
        assert chat.labels[0] in ("المدرسة ورعاية الأطفال", "Health and emergencies"), question
    await chat.send("school")
    assert chat.labels[0] == "المدرسة ورعاية الأطفال"
    await chat.send("xylophone")
    assert chat.replies[0].text == gettext(app, "ar")(
        "I found nothing on that. Please choose a topic."
    )
    await chat.send("/menu")
    await chat.send("xylophone")
    assert chat.replies[0].text == gettext(app, "ar")(
        "I did not understand that. Please choose from the menu."
    )


async def test_typed_text_is_escaped_and_local_contacts_follow_the_article(
    app: App, library: Path
) -> None:
    staff = await staff_member(app)
    en = gettext(app, "en")
    await staff.send("/info")
    await staff.press(en("Edit local contacts"))
    await staff.press("Parchim")
    await staff.send("Migrationsberatung <Caritas>, Lindenstraße 1 & 2")
    assert staff.replies[0].text == en("The local contacts have been saved.")
    reader = await person(app, "ben", "en", role="I am new in the district")
    await reader.send("/info")
    await reader.press("School and childcare")
    texts = [reply.text for reply in reader.replies]
    assert "&lt;with&gt; your papers &amp; reports" in texts[0]
    assert "Migrationsberatung &lt;Caritas&gt;, Lindenstraße 1 &amp; 2" in texts[1]


async def test_staff_send_an_updated_topic_file(app: App, library: Path) -> None:
    staff = await staff_member(app)
    en = gettext(app, "en")
    content = ARTICLE.format(
        topic="school",
        title="School and day care",
        order=1,
        body="Every child must go to school. " * 5,
    ).encode()
    staff.channel.files["file-school.en.md"] = content
    await staff.send_file("school.en.md", len(content))
    assert staff.replies[0].text == en("Imported: “{title}” ({language}).").format(
        title="School and day care", language="English"
    )
    staff.channel.files["file-bad.en.md"] = b"---\ntopic: school\ntitel: x\n---\n"
    await staff.send_file("bad.en.md", 30)
    assert staff.replies[0].text.startswith(
        en("The file was not imported: {problem}").format(
            problem="bad.en.md:3: expected one of topic, title, order, reviewed"
        )
    )

    volunteer = await person(app, "vera", "en")
    volunteer.channel.files["file-school.en.md"] = content
    await volunteer.send_file("school.en.md", len(content))
    assert volunteer.replies[0].text == en(
        "I did not understand that. Please choose from the menu."
    )


def test_every_shipped_topic_file_parses_and_has_every_language() -> None:
    articles = load_directory()
    topics = {article.topic for article in articles}
    assert {
        "german-courses",
        "school-childcare",
        "documents",
        "health",
        "work",
        "counselling",
        "leisure",
    } <= topics
    assert len(articles) == 6 * len(topics)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("topic: x\n", "x.md:1: the file must start with a header line '---'"),
        (
            "---\ntopic: school\ntitle: T\norder: one\nreviewed: 2026-11-24\n---\n" + "x" * 60,
            "x.md:2: order 'one' is not a whole number",
        ),
        (
            "---\ntopic: school\ntitle: T\norder: 1\n---\n" + "x" * 60,
            "x.md:1: the header lacks reviewed",
        ),
        (
            "---\ntopic: school\ntitle: T\norder: 1\nreviewed: 2026-11-24\n---\nshort",
            "x.md:7: the text is missing or too short",
        ),
    ],
)
def test_a_bad_file_names_the_file_and_line(text: str, problem: str) -> None:
    with pytest.raises(ContentError) as raised:
        parse_article(text, source="x.md", locale="en")
    assert str(raised.value) == problem


def test_a_missing_language_is_named(tmp_path: Path) -> None:
    write(tmp_path, "school", "en", "School", "x" * 60, 1)
    with pytest.raises(ContentError, match="topic 'school' has no de text"):
        load_directory(tmp_path)
