"""The terminal: a number typed where a question asks for a number is that number, never one of
the lines shown before (`Question.numeric`)."""

from __future__ import annotations

import io

from sqlalchemy import select

from bot.app import App
from bot.channels.console import ConsoleChannel
from bot.db.models import Application
from conversations.messages import Reply
from tests.conversations.grants.test_application import fill_until_costs
from tests.conversations.people.test_onboarding import gettext

ADDRESS = "local"


class Recording(ConsoleChannel):
    """The console as a person uses it, keeping the replies for the test to read."""

    def __init__(self) -> None:
        super().__init__(out=io.StringIO(), address=ADDRESS)
        self.replies: list[Reply] = []

    async def send(self, address: str, reply: Reply, *, skip_parts: int = 0) -> str | None:
        self.replies.append(reply)
        return await super().send(address, reply, skip_parts=skip_parts)


class Terminal:
    """`tests.chat.Chat`'s interface, typed as lines: a button is pressed by typing its number
    where the choices are numbered, else its label."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.channel = Recording()
        app.dispatcher.add_channel(self.channel)
        self.replies: list[Reply] = []

    async def type(self, line: str) -> None:
        self.channel.replies.clear()
        await self.app.turns.handle(self.channel.inbound(line))
        self.replies = list(self.channel.replies)

    async def send(self, text: str) -> None:
        await self.type(text)

    async def press(self, label: str) -> None:
        shown = self.channel.shown
        assert label in [c.label for c in shown.choices], (label, self.labels)
        if shown.numbered:
            await self.type(str([c.label for c in shown.choices].index(label) + 1))
        else:
            await self.type(label)

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.channel.shown.choices]

    @property
    def output(self) -> str:
        out = self.channel.out
        assert isinstance(out, io.StringIO)
        return out.getvalue()


async def counts(app: App) -> tuple[int | None, int | None]:
    async with app.database.transaction() as session:
        application = await session.scalar(select(Application))
    assert application is not None
    return application.volunteers_expected, application.newcomers_expected


async def test_a_typed_count_is_the_count_not_an_earlier_line(app: App) -> None:
    terminal = Terminal(app)
    await terminal.type("/start")
    await terminal.press("English")
    _ = gettext(app, "en")
    await terminal.press(_("I volunteer"))
    await terminal.press("Parchim")
    await terminal.press(terminal.labels[0])  # I agree
    await fill_until_costs(terminal, "en")  # type: ignore[arg-type]  # types "4" and "20"
    assert await counts(app) == (4, 20)
    assert "earlier question" not in terminal.output
