"""Information for newcomers: topics in the person's language, fall-backs, search across
languages, local contacts, and content files imported by staff or from the command line."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App
from bot.db.models import AuditEntry
from bot.services.outreach.topic_files import (
    ContentError,
    import_articles,
    load_directory,
    parse_article,
)
from conversations.messages import Attachment, InboundKind
from tests.conversations.grants.test_review import staff_member
from tests.conversations.meetings.test_invitations import person
from tests.conversations.people.test_onboarding import gettext

ARTICLE = """---
topic: {topic}
title: {title}
order: {order}
reviewed: 2026-11-24
---
{body}
"""


def write(directory: Path, topic: str, locale: str, title: str, body: str, order: int) -> Path:
    folder = directory / topic
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{locale}.md"
    path.write_text(
        ARTICLE.format(topic=topic, title=title, order=order, body=body), encoding="utf-8"
    )
    return path


@pytest.fixture
async def english_only(app: App, tmp_path: Path) -> None:
    """A topic that exists in English only, to show the fall-back."""
    path = write(
        tmp_path,
        "winter",
        "en",
        "Winter and heating",
        "Heating costs are part of the rent or paid to the supplier. <Ask> first & save.",
        8,
    )
    article = parse_article(path.read_text(encoding="utf-8"), source=str(path), locale="en")
    async with app.database.transaction() as session:
        await import_articles(session, [article], now=app.clock.now())


async def test_a_ukrainian_newcomer_reads_topics_in_ukrainian(app: App, english_only: None) -> None:
    chat = await person(app, "olena", "uk", role="I am new in the district")
    uk = gettext(app, "uk")
    await chat.send("/info")
    assert chat.labels[:3] == [
        "Курси німецької мови та мовна допомога",
        "Школа і догляд за дітьми",
        "Документи та установи",
    ]
    assert "Winter and heating" in chat.labels
    await chat.press("Школа і догляд за дітьми")
    assert chat.replies[0].text.startswith("<b>Школа і догляд за дітьми</b>")
    assert "Kita" in "".join(reply.text for reply in chat.replies)
    await chat.press(uk("Other topics"))
    await chat.press("Winter and heating")
    assert chat.replies[0].text == uk(
        "This topic is not yet available in your language; here it is in {language}."
    ).format(language="англійська")  # in Ukrainian words, not "English" inside the sentence
    assert "&lt;Ask&gt; first &amp; save" in chat.replies[1].text


@pytest.mark.parametrize(
    ("locale", "question", "title"),
    [
        ("ar", "مدرسة", "المدرسة ورعاية الأطفال"),
        ("ar", "school", "المدرسة ورعاية الأطفال"),
        ("fa", "Where is the next SCHOOL?", "مدرسه و نگهداری از کودکان"),
        ("uk", "лікар", "Здоров'я та надзвичайні ситуації"),
        ("de", "Integrationskurs", "Deutschkurse und Sprachhilfe"),
        ("en", "116 117", "Health and emergencies"),
        ("de", "Arzt", "Gesundheit und Notfälle"),
        ("ru", "врач", "Здоровье и экстренные случаи"),
        ("uk", "Мені потрібен лікар", "Здоров'я та надзвичайні ситуації"),
        ("fa", "Kita", "مدرسه و نگهداری از کودکان"),
        ("en", "Jobcenter", "Work and recognition of qualifications"),
        ("de", "Schul", "Schule und Kinderbetreuung"),
        ("en", "schools", "School and childcare"),
        ("ar", "أين المدرسة؟", "المدرسة ورعاية الأطفال"),
        ("de", "Ich suche einen Deutschkurs", "Deutschkurse und Sprachhilfe"),
    ],
)
async def test_typed_questions_find_topics_in_any_language(
    app: App, locale: str, question: str, title: str
) -> None:
    chat = await person(app, "amal", locale, role="I am new in the district")
    await chat.send(question)
    assert chat.text.startswith(gettext(app, locale)("I found these topics:"))
    assert title in chat.labels
    await chat.press(title)
    assert chat.replies[0].text.startswith(f"<b>{escape(title)}</b>")


@pytest.mark.parametrize(
    ("locale", "question", "first"),
    [
        ("de", "Schule", "Schule und Kinderbetreuung"),
        ("en", "doctor", "Health and emergencies"),
        ("ar", "Integrationskurs", "دورات اللغة الألمانية والمساعدة اللغوية"),
    ],
)
async def test_the_best_topic_comes_first(app: App, locale: str, question: str, first: str) -> None:
    chat = await person(app, "amal", locale, role="I am new in the district")
    await chat.send(question)
    assert chat.labels[0] == first


@pytest.mark.parametrize(
    "question",
    [
        "max@example.org",
        "Siehe https://www.example.org/for-example",
        "Wann ist das Treffen?",
        "Hallo, ich bin neu",
        "Wie geht es dir?",
        "Привет, как дела?",
    ],
)
async def test_small_talk_and_addresses_find_nothing(app: App, question: str) -> None:
    chat = await person(app, "amal", "de", role="I am new in the district")
    de = gettext(app, "de")
    await chat.send(question)
    assert chat.replies[0].text == de("I did not understand that. Please choose from the menu.")
    await chat.send("/info")
    await chat.send(question)
    assert chat.replies[0].text == de("I found nothing on that. Please choose a topic.")


async def test_a_new_message_after_a_result_is_taken_afresh(app: App) -> None:
    chat = await person(app, "ben", "en", role="I am new in the district")
    en = gettext(app, "en")
    await chat.send("Kita")
    assert chat.text.startswith(en("I found these topics:"))
    assert chat.labels == ["School and childcare", en("All topics"), en("Main menu")]
    await chat.send("I need a doctor")
    assert chat.text.startswith(en("I found these topics:"))
    assert chat.labels[0] == "Health and emergencies"
    assert chat.labels[-2:] == [en("All topics"), en("Main menu")]
    await chat.send("Wann ist das Treffen?")  # nothing found: every topic to choose from
    assert [reply.text for reply in chat.replies][:1] == [
        en("I found nothing on that. Please choose a topic.")
    ]
    assert chat.replies[-1].text.startswith(
        en("What would you like to know? Choose a topic, or just type your question.")
    )
    assert "Health and emergencies" in chat.labels
    await chat.send("Kita")
    assert chat.labels[0] == "School and childcare"
    await chat.press(en("All topics"))
    assert chat.replies[-1].text.startswith(
        en("What would you like to know? Choose a topic, or just type your question.")
    )
    await chat.press("School and childcare")
    assert chat.replies[-1].text.startswith(en("Anything else?"))
    await chat.send("Arzt")  # after an article, too, a typed question finds topics
    assert chat.text.startswith(en("I found these topics:"))
    assert chat.labels[0] == "Health and emergencies"


async def test_nothing_found_gets_a_clear_answer(app: App) -> None:
    chat = await person(app, "amal", "ar", role="I am new in the district")
    ar = gettext(app, "ar")
    await chat.send("xylophone")
    assert chat.replies[0].text == ar("I did not understand that. Please choose from the menu.")
    await chat.send("/info")
    await chat.send("xylophone")
    assert chat.replies[0].text == ar("I found nothing on that. Please choose a topic.")


async def test_local_contacts_follow_the_article_escaped(app: App) -> None:
    staff = await staff_member(app)
    en = gettext(app, "en")
    await staff.send("/info")
    await staff.press(en("Edit local contacts"))
    await staff.press("Parchim")
    await staff.press(en("All topics"))
    await staff.send("Migrationsberatung <Caritas>, Lindenstraße 1 & 2")
    assert staff.replies[0].text == en("The local contacts have been saved.")
    reader = await person(app, "ben", "en", role="I am new in the district")
    await reader.send("/info")
    await reader.press("Health and emergencies")
    texts = [reply.text for reply in reader.replies]
    assert any("116 117" in text for text in texts)
    assert (
        en("<b>Local contacts in your region</b>")
        + "\n"
        + ("Migrationsberatung &lt;Caritas&gt;, Lindenstraße 1 &amp; 2")
        in texts
    )


async def test_staff_send_an_updated_topic_file(app: App) -> None:
    staff = await staff_member(app)
    en = gettext(app, "en")
    content = ARTICLE.format(
        topic="school-childcare",
        title="School and day care",
        order=2,
        body="Every child must go to school. " * 5,
    ).encode()
    staff.channel.files["file-school.en.md"] = content
    await staff.send_file("school.en.md", len(content))
    assert staff.replies[0].text == en("Imported: “{title}” ({language}).").format(
        title="School and day care", language="English"
    )
    async with app.database.transaction() as session:
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "content.import")
        )
    assert entry is not None and entry.subject == "school-childcare/en"
    assert entry.details is not None
    assert entry.details["title"] == "School and day care"
    assert entry.details["previous_title"] == "School and childcare"
    assert entry.details["text_changed"] is True
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


async def test_a_topic_file_too_big_or_out_of_reach_is_answered_with_the_limit(app: App) -> None:
    staff = await staff_member(app)
    en = gettext(app, "en")
    too_big = en(
        "That file is too big for a topic: a topic's text may have at most {count} characters."
    ).format(count="12,000")
    await staff.send_file("huge.en.md", 915_000)  # what the device says
    assert staff.replies[0].text == too_big
    await staff.send_file("quiet.en.md", 10, content=b"x" * 915_000)  # what the bytes say
    assert staff.replies[0].text == too_big
    gone = Attachment(file_ref="file-gone", name="gone.en.md", mime_type="text/markdown", size=10)
    await staff._inbound(InboundKind.DOCUMENT, attachment=gone)  # the channel has it no more
    assert staff.replies[0].text == en(
        "Sorry, I could not check this file just now. Please send it again in a moment."
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
            "x.md:4: order 'one' is not a whole number",
        ),
        (
            "---\ntitle: T\norder: 1\ntopic: School\nreviewed: 2026-11-24\n---\n" + "x" * 60,
            "x.md:4: topic 'School' must be lower-case words joined by '-'",
        ),
        (
            "---\ntopic: school\ntitle: T\norder: 1\nreviewed: 24.11.2026\n---\n" + "x" * 60,
            "x.md:5: reviewed '24.11.2026' is not a date like 2026-11-24",
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


def test_a_header_naming_another_topic_is_found_on_its_line() -> None:
    text = "---\ntitle: T\ntopic: school\norder: 1\nreviewed: 2026-11-24\n---\n" + "x" * 60
    with pytest.raises(ContentError) as raised:
        parse_article(text, source="health/en.md", locale="en", topic="health")
    assert str(raised.value) == (
        "health/en.md:3: topic 'school' does not match the folder 'health'"
    )


def test_missing_languages_are_named_with_the_topic_folder(tmp_path: Path) -> None:
    write(tmp_path, "school", "en", "School", "x" * 60, 1)
    write(tmp_path, "school", "uk", "Школа", "x" * 60, 1)
    with pytest.raises(ContentError) as raised:
        load_directory(tmp_path)
    assert raised.value.line is None
    assert str(raised.value) == (
        f"{tmp_path / 'school'}: topic 'school' has no text in de, ar, fa, ru "
        "(expected de.md, ar.md, fa.md, ru.md)"
    )


def test_hidden_and_other_files_are_skipped(tmp_path: Path) -> None:
    for locale in ("de", "en", "ar", "fa", "uk", "ru"):
        write(tmp_path, "school", locale, f"School {locale}", "x" * 60, 1)
    (tmp_path / "README.md").write_text("How to write a topic", encoding="utf-8")
    (tmp_path / ".DS_Store").write_bytes(b"\0\1")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "de.md").write_text("not a topic", encoding="utf-8")
    (tmp_path / "pictures").mkdir()
    (tmp_path / "pictures" / "map.png").write_bytes(b"\x89PNG")
    (tmp_path / "school" / ".de.md.swp").write_bytes(b"\xff\xfe")
    (tmp_path / "school" / "notes.txt").write_text("check the dates", encoding="utf-8")
    articles = load_directory(tmp_path)
    assert sorted((a.topic, a.locale) for a in articles) == sorted(
        ("school", locale) for locale in ("de", "en", "ar", "fa", "uk", "ru")
    )
