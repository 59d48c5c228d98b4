"""Local contacts per region and topic: the topics point at them only where there are some,
staff see which regions and topics still lack them and keep them in the chat."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.app import App
from bot.db.models import AuditEntry
from bot.services.outreach.contacts import CONTACTS_MARK, contact_lines
from bot.services.outreach.topic_files import ContentError, load_directory, parse_article
from conversations.languages import LANGUAGE_CODES
from tests.conversations.grants.test_review import staff_member
from tests.conversations.meetings.test_invitations import person
from tests.conversations.people.test_onboarding import gettext

# How each language says "local contacts" in the shipped topics: a line that says it points at
# the contacts shown under the article.
LOCAL_CONTACTS = re.compile(
    r"Kontakt\w* vor Ort|local contacts|جهات الاتصال المحلية|تماس محلی"
    r"|місцев\w* контакт|местн\w* контакт",
    re.IGNORECASE,
)
NEWCOMER = "I am new in the district"
HEALTH_OFFICE = "Gesundheitsamt Parchim, Putlitzer Straße 25, Tel. 03871 722-0 <Mo-Fr>"


def titles(locale: str) -> list[str]:
    """The topics' titles in `locale`, in the order /info lists them."""
    articles = [article for article in load_directory() if article.locale == locale]
    return [article.title for article in sorted(articles, key=lambda a: (a.order, a.topic))]


async def read(chat, title: str) -> str:  # type: ignore[no-untyped-def]
    """Opens a topic from /info; everything the bot says about it, as HTML."""
    await chat.send("/info")
    await chat.press(title)
    return "\n".join(reply.text for reply in chat.replies)


def test_every_line_that_mentions_local_contacts_is_a_contact_line() -> None:
    articles = load_directory()
    marked = 0
    for article in articles:
        for line in article.body.split("\n"):
            if LOCAL_CONTACTS.search(line):
                assert line.startswith(CONTACTS_MARK), f"{article.source}: {line[:80]}"
                marked += 1
    assert marked >= 3 * len(LANGUAGE_CODES)  # counselling, German courses, health


@pytest.mark.parametrize("locale", LANGUAGE_CODES)
async def test_out_of_the_box_no_topic_points_at_contacts(app: App, locale: str) -> None:
    chat = await person(app, f"new-{locale}", locale, role=gettext(app, locale)(NEWCOMER))
    for title in titles(locale):
        shown = await read(chat, title)
        assert not LOCAL_CONTACTS.search(shown), (title, shown)
        assert CONTACTS_MARK not in shown


async def test_staff_add_contacts_for_a_region_and_a_topic(app: App) -> None:
    en = gettext(app, "en")
    staff = await staff_member(app)
    await staff.send("/info")
    await staff.press(en("Edit local contacts"))
    overview = staff.text
    for region in ("Hagenow", "Ludwigslust", "Parchim", "Lübz / Plau am See"):
        assert en("✗ {region}: no local contacts yet").format(region=region) in overview
    assert len(staff.replies[-1].text) < 4096
    await staff.press("Parchim")
    await staff.press("Health and emergencies")
    await staff.send(HEALTH_OFFICE)
    assert staff.replies[0].text == en("The local contacts have been saved.")
    lacking = [title for title in titles("en") if title != "Health and emergencies"]
    assert (
        en("✗ {region}: none for {topics}").format(region="Parchim", topics=" · ".join(lacking))
        in staff.text
    )
    assert en("✗ {region}: no local contacts yet").format(region="Hagenow") in staff.text
    async with app.database.transaction() as session:
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "contacts.update")
        )
    assert entry is not None and entry.subject == "parchim/health"

    here = await person(app, "olena", "en", role=NEWCOMER)  # in Parchim
    shown = await read(here, "Health and emergencies")
    assert en("<b>Local contacts in your region</b>") in shown
    assert "Gesundheitsamt Parchim, Putlitzer Straße 25, Tel. 03871 722-0 &lt;Mo-Fr&gt;" in shown
    assert "Where to go about your health in your region: see the local contacts below." in shown
    assert CONTACTS_MARK not in shown
    other_topic = await read(here, "Counselling and contacts")
    assert "Gesundheitsamt" not in other_topic and not LOCAL_CONTACTS.search(other_topic)

    elsewhere = await person(app, "karim", "en", region="Hagenow", role=NEWCOMER)
    shown = await read(elsewhere, "Health and emergencies")
    assert "Gesundheitsamt" not in shown and not LOCAL_CONTACTS.search(shown)


async def test_contacts_for_all_topics_show_under_every_topic(app: App) -> None:
    en = gettext(app, "en")
    staff = await staff_member(app)
    await staff.send("/info")
    await staff.press(en("Edit local contacts"))
    await staff.press("Hagenow")
    await staff.press(en("All topics"))
    await staff.send("Aktivgruppe Hagenow, Lange Straße 5, Tel. 03883 1234")
    await staff.press("Hagenow")
    await staff.press("Health and emergencies")
    await staff.send("Hausarztpraxis am Markt, Tel. 03883 9876")
    assert en("✓ {region}: contacts for every topic").format(region="Hagenow") in staff.text

    newcomer = await person(app, "sam", "de", region="Hagenow", role=gettext(app, "de")(NEWCOMER))
    for article in [a for a in load_directory() if a.locale == "de"]:
        shown = await read(newcomer, article.title)
        assert "Aktivgruppe Hagenow" in shown
        assert ("Hausarztpraxis" in shown) is (article.topic == "health")
        points = [line for line in article.body.split("\n") if line.startswith(CONTACTS_MARK)]
        for line in points:  # the pointing lines are there, without their mark
            assert line.removeprefix(CONTACTS_MARK).strip() in shown
        assert CONTACTS_MARK not in shown
    health = await read(newcomer, "Gesundheit und Notfälle")
    assert health.index("Hausarztpraxis") < health.index("Aktivgruppe Hagenow")


async def test_staff_replace_and_remove_contacts(app: App) -> None:
    en = gettext(app, "en")
    staff = await staff_member(app)
    await staff.send("/info")
    await staff.press(en("Edit local contacts"))
    await staff.press("Parchim")
    await staff.press("School and childcare")
    await staff.send("Schulamt Schwerin, Tel. 0385 588 0")
    await staff.press("Parchim")
    assert "✓ School and childcare" in staff.labels
    await staff.press("✓ School and childcare")
    assert en("Now: {value}").format(value="Schulamt Schwerin, Tel. 0385 588 0") in staff.text
    await staff.send("x")  # too short for contacts
    assert "Schulamt" in staff.text
    await staff.send("Staatliches Schulamt, Tel. 0385 588 7000")
    await staff.press("Parchim")
    await staff.press("✓ School and childcare")
    await staff.press(en("Remove these contacts"))
    assert staff.replies[0].text == en("The local contacts have been removed.")
    assert en("✗ {region}: no local contacts yet").format(region="Parchim") in staff.text
    async with app.database.transaction() as session:
        actions = (
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.subject == "parchim/school-childcare")
            )
        ).all()
    assert actions == ["contacts.update", "contacts.update", "contacts.remove"]


async def test_only_staff_keep_contacts(app: App) -> None:
    en = gettext(app, "en")
    volunteer = await person(app, "vera", "en")
    await volunteer.send("/info")
    assert en("Edit local contacts") not in volunteer.labels
    await volunteer.press_data("topic:contacts")  # a button they were never given
    assert en("<b>Local contacts</b>") not in volunteer.replies[-1].text
    assert en("Edit local contacts") not in volunteer.labels


HEADER = "---\ntopic: school\ntitle: T\norder: 1\nreviewed: 2026-11-24\n---\n"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            "x" * 60 + "\nAsk here. [[contacts]] Or see below.",
            "x.md:8: [[contacts]] may only start a line, the line it shows with contacts",
        ),
        ("x" * 60 + "\n\n[[contacts]]  \n", "x.md:9: no text follows [[contacts]]"),
    ],
)
def test_a_misplaced_contact_mark_is_refused_with_its_line(body: str, problem: str) -> None:
    with pytest.raises(ContentError) as raised:
        parse_article(HEADER + body, source="x.md", locale="en")
    assert str(raised.value) == problem


def test_contact_lines_leave_no_gap() -> None:
    text = "## Help\nAsk here.\n[[contacts]] See below.\n\n[[contacts]] Or here.\n\n## Next\nMore."
    assert contact_lines(text, shown=False) == "## Help\nAsk here.\n\n## Next\nMore."
    assert contact_lines(text, shown=True) == (
        "## Help\nAsk here.\nSee below.\n\nOr here.\n\n## Next\nMore."
    )
