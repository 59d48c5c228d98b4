"""Local contacts per region and topic, and the lines of the topic files that point at them:
such a line starts with CONTACTS_MARK and is shown only where there are contacts to point at."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select

from bot.db.models import InfoArticle, LocalContacts, Region
from bot.services.desk import Desk
from bot.services.people import audit
from conversations.outreach.ports import ALL_TOPICS, InfoRuleError, RegionContacts
from conversations.ports import RegionView

# `[[contacts]] Your region's local contacts are shown below.` A mark no Markdown gives a
# meaning to, and plain to whoever writes a topic file.
CONTACTS_MARK = "[[contacts]]"


class ContactLineError(ValueError):
    """A contact mark that is not at the start of a line with text after it."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line, self.message = line, message


def contact_lines(markdown: str, *, shown: bool) -> str:
    """`markdown` with its contact lines: without their mark where `shown`, else left out
    together with a blank line that would double the one before. Where shown, every line keeps
    its number, so that an error found in the result names the line of the file."""
    lines: list[str] = []
    dropped = False
    for number, line in enumerate(markdown.split("\n"), start=1):
        marked = line.startswith(CONTACTS_MARK)
        rest = line[len(CONTACTS_MARK) :].strip() if marked else line
        if CONTACTS_MARK in rest:
            raise ContactLineError(
                number, f"{CONTACTS_MARK} may only start a line, the line it shows with contacts"
            )
        if marked and not rest:
            raise ContactLineError(number, f"no text follows {CONTACTS_MARK}")
        if marked and not shown:
            dropped = True
            continue
        if dropped and not rest.strip() and (not lines or not lines[-1].strip()):
            continue
        lines.append(rest)
        dropped = False
    text = "\n".join(lines)
    return text if shown else text.strip("\n")


def has_contact_lines(markdown: str) -> bool:
    return any(line.startswith(CONTACTS_MARK) for line in markdown.split("\n"))


class ContactBook(Desk):
    """The `Contacts` port for one turn."""

    refusal = InfoRuleError

    async def for_article(self, region_key: str | None, topic: str) -> Sequence[str]:
        if region_key is None:
            return []
        rows = (
            await self.session.execute(
                select(LocalContacts.topic, LocalContacts.text)
                .join(Region, Region.id == LocalContacts.region_id)
                .where(Region.key == region_key, LocalContacts.topic.in_((topic, ALL_TOPICS)))
            )
        ).all()
        return [text for key, text in sorted(rows, key=lambda row: row[0] == ALL_TOPICS)]

    async def text(self, region_key: str, topic: str) -> str | None:
        row = await self._row(await self._region_id(region_key), topic)
        return row.text if row else None

    async def save(self, region_key: str, topic: str, text: str) -> None:
        self._staff_only()
        region_id = await self._region_id(region_key)
        await self._check_topic(topic)
        row = await self._row(region_id, topic)
        if row is None:
            row = LocalContacts(region_id=region_id, topic=topic, text=text, updated_at=self.now)
            self.session.add(row)
        row.text, row.updated_at = text, self.now
        self._audit("contacts.update", region_key, topic)

    async def remove(self, region_key: str, topic: str) -> None:
        self._staff_only()
        region_id = await self._region_id(region_key)
        await self.session.execute(
            delete(LocalContacts).where(
                LocalContacts.region_id == region_id, LocalContacts.topic == topic
            )
        )
        self._audit("contacts.remove", region_key, topic)

    async def coverage(self) -> Sequence[RegionContacts]:
        rows = (
            await self.session.execute(select(LocalContacts.region_id, LocalContacts.topic))
        ).all()
        return [
            RegionContacts(
                region=RegionView(key=region.key, name=region.name),
                topics=frozenset(topic for region_id, topic in rows if region_id == region.id),
            )
            for region in await self.session.scalars(
                select(Region).order_by(Region.position, Region.id)
            )
        ]

    async def _region_id(self, region_key: str) -> int:
        region_id = await self.session.scalar(select(Region.id).where(Region.key == region_key))
        if region_id is None:
            raise InfoRuleError("not_found")
        return region_id

    async def _check_topic(self, topic: str) -> None:
        """A topic of the library, or all of them: never what a forged button names."""
        if topic == ALL_TOPICS:
            return
        if await self.session.scalar(select(InfoArticle.id).where(InfoArticle.topic == topic)):
            return
        raise InfoRuleError("not_found")

    async def _row(self, region_id: int, topic: str) -> LocalContacts | None:
        return await self.session.get(LocalContacts, (region_id, topic))

    def _audit(self, action: str, region_key: str, topic: str) -> None:
        audit.record(
            self.session,
            actor=f"user:{self.actor_user_id}",
            action=action,
            subject=f"{region_key}/{topic}",
            at=self.now,
        )
