"""Choices as numbered lines, for channels without buttons (Signal, the terminal): how a reply
shows them, which list a number or a label typed afterwards refers to, and where that list is kept
so that it still holds after a restart.

A number refers to the last list the person was shown. A question that waits for a typed number
(an amount, a count, a day) shows its choices without numbers, to be typed by label, and a
question that waits for typed text without choices leaves no list to refer to: there a typed
number is the answer, never an old choice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import delete

from bot.db.models import ShownChoices
from bot.db.session import Database, insert
from conversations.messages import Choice, Expects, Inbound, InboundKind, Reply

MAX_TYPED_NUMBER = 6  # digits: more is a number meant as an answer, not a line


@dataclass(frozen=True)
class Shown:
    """The choices a person refers to now; numbered or to be typed by label."""

    choices: tuple[Choice, ...] = ()
    numbered: bool = False


NOTHING = Shown()


def shown_by(reply: Reply) -> Shown | None:
    """The list a person refers to after this reply, or None when the reply (a notice without
    choices) leaves the one before in place."""
    if reply.choices:
        return Shown(tuple(reply.all_choices()), numbered=reply.expects != Expects.NUMBER)
    if reply.expects in (Expects.TEXT, Expects.NUMBER):
        return NOTHING
    return None


def choice_lines(reply: Reply) -> list[str]:
    """The choices under the text: `1) label` lines, or, where a typed number is the answer,
    the labels row by row, to be typed."""
    if not reply.choices:
        return []
    if reply.expects == Expects.NUMBER:
        return ["   ".join(choice.label for choice in row) for row in reply.choices]
    return [f"{number}) {choice.label}" for number, choice in enumerate(reply.all_choices(), 1)]


def typed_choice(text: str, shown: Shown) -> Choice | None:
    """The choice a typed line names: its number in a numbered list, or its label."""
    typed = " ".join(text.split())
    if shown.numbered and typed.isdecimal() and len(typed) <= MAX_TYPED_NUMBER:
        number = int(typed)  # also Arabic-Indic and Persian digits
        if 1 <= number <= len(shown.choices):
            return shown.choices[number - 1]
    wanted = typed.casefold()
    return next((c for c in shown.choices if " ".join(c.label.split()).casefold() == wanted), None)


def read_line(
    channel: str,
    address: str,
    text: str,
    shown: Shown,
    *,
    update_key: str | None = None,
    display_name: str | None = None,
) -> Inbound:
    """A typed line: `/word args` is a command, a number or label of the shown list a choice,
    the rest text."""
    base = Inbound(
        channel,
        address,
        InboundKind.TEXT,
        update_key=update_key,
        text=text,
        display_name=display_name,
        numbered=True,
    )
    stripped = text.strip()
    if stripped.startswith("/") and len(stripped) > 1 and not stripped[1].isspace():
        command, _, args = stripped[1:].partition(" ")
        return replace(
            base,
            kind=InboundKind.COMMAND,
            text=stripped,
            command=command.lower(),
            args=args.strip(),
        )
    chosen = typed_choice(stripped, shown) if stripped else None
    if chosen is not None:
        return replace(base, kind=InboundKind.CHOICE, text=stripped, data=chosen.data)
    return base


class ShownChoicesStore:
    """The last list each person was shown, in the database: written when a reply with
    choices (or a question to type the answer to) has gone out, read when they write."""

    def __init__(self, database: Database, channel: str) -> None:
        self.database = database
        self.channel = channel

    async def recall(self, address: str) -> Shown:
        async with self.database.sessions() as session:
            row = await session.get(ShownChoices, (self.channel, address))
        if row is None:
            return NOTHING
        return Shown(tuple(Choice(label, data) for label, data in row.choices), row.numbered)

    async def remember(self, address: str, shown: Shown, *, now: datetime) -> None:
        values = {
            "choices": [[choice.label, choice.data] for choice in shown.choices],
            "numbered": shown.numbered,
            "shown_at": now,
        }
        async with self.database.transaction() as session:
            if not shown.choices:
                await session.execute(
                    delete(ShownChoices).where(
                        ShownChoices.channel == self.channel, ShownChoices.address == address
                    )
                )
                return
            statement = insert(session, ShownChoices).values(
                channel=self.channel, address=address, **values
            )
            await session.execute(
                statement.on_conflict_do_update(index_elements=["channel", "address"], set_=values)
            )
