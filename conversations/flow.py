"""What a flow is made of: questions and answers, the turn's context with its ports, flows with a
pair of small methods per step (`ask_<step>` builds the question without side effects, so it can
be asked again; `on_<step>` takes the answer and names the next step), and commands."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

from conversations.grants.ports import Grants, Reports
from conversations.limits import TextLimit, limit_hint
from conversations.meetings.ports import Meetings
from conversations.messages import (
    Attachment,
    Choice,
    Document,
    Expects,
    Inbound,
    MadeDocument,
    Reply,
)
from conversations.office.ports import QuestionDesk, QuestionLessons
from conversations.outreach.ports import Broadcasts, Contacts, Info, Surveys
from conversations.people.ports import Users
from conversations.ports import Clock, Files, Notifications, Translator, UserView
from conversations.roles import Permission
from conversations.state import FlowState

if TYPE_CHECKING:
    from conversations.engine import Engine


COMMAND_PREFIX = "cmd:"
# The Back button under a wizard's questions (`conversations.back`): reserved, no flow may use
# it as the data of a button of its own.
BACK = "back"


@dataclass(frozen=True)
class Ports:
    """What a turn gives the flows: each capability's ports (built by `bot/turn.py`)."""

    users: Users
    clock: Clock
    translator: Callable[[str], Translator]
    grants: Grants
    reports: Reports
    meetings: Meetings
    info: Info
    contacts: Contacts
    files: Files
    broadcasts: Broadcasts
    surveys: Surveys
    notifications: Notifications
    questions: QuestionDesk
    lessons: QuestionLessons


class Invalid(Exception):
    """An answer the flow cannot take; `message` is already translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Question:
    text: str
    choices: tuple[tuple[Choice, ...], ...] = ()
    free_text: bool = False
    accepts_files: bool = False  # photos and documents
    numeric: bool = False  # a typed number is the answer (an amount, a count, a day, a time)
    # How long typed text may be: stated under the question, checked before the flow sees it.
    limit: TextLimit | None = None

    @property
    def expects(self) -> Expects:
        if self.numeric:
            return Expects.NUMBER
        return Expects.TEXT if self.free_text else Expects.CHOICE

    def choice_for(self, data: str) -> Choice | None:
        return next((c for row in self.choices for c in row if c.data == data), None)

    def choice_labelled(self, text: str) -> Choice | None:
        wanted = " ".join(text.split()).casefold()
        return next(
            (
                c
                for row in self.choices
                for c in row
                if " ".join(c.label.split()).casefold() == wanted
            ),
            None,
        )


@dataclass(frozen=True)
class Answer:
    data: str | None = None
    text: str = ""
    attachment: Attachment | None = None


class Context:
    """One turn: who is speaking, their state, the ports, and the replies collected so far."""

    def __init__(
        self, *, engine: Engine, user: UserView, state: FlowState, ports: Ports, inbound: Inbound
    ) -> None:
        self.engine = engine
        self.user = user
        self.state = state
        self.ports = ports
        self.inbound = inbound
        self.t = ports.translator(user.locale)
        self.replies: list[Reply] = []
        self.user_deleted = False
        self._next_flow: tuple[str, dict[str, Any], str | None] | None = None

    def say(
        self,
        text: str,
        choices: tuple[tuple[Choice, ...], ...] = (),
        document: Document | None = None,
        made: MadeDocument | None = None,
    ) -> None:
        self.replies.append(Reply(text=text, choices=choices, document=document, made=made))

    def ask(self, question: Question) -> None:
        text = question.text
        if question.limit is not None and question.free_text:
            text += f"\n<i>{limit_hint(self.t, question.limit)}</i>"
        self.replies.append(
            Reply(text=text, choices=question.choices, expects=question.expects.value)
        )

    def use_locale(self, locale: str) -> None:
        """Answer in `locale` from now on (after the person changed their language)."""
        self.user = replace(self.user, locale=locale)
        self.t = self.ports.translator(locale)

    def switch_to(
        self, flow: str, data: dict[str, Any] | None = None, step: str | None = None
    ) -> None:
        """Hand over to another flow (at `step`, else its first) once the current step returns."""
        self._next_flow = (flow, dict(data or {}), step)

    def take_next_flow(self) -> tuple[str, dict[str, Any], str | None] | None:
        next_flow, self._next_flow = self._next_flow, None
        return next_flow


class Flow:
    name: ClassVar[str]
    first_step: ClassVar[str]
    permission: ClassVar[Permission | None] = None
    # A wizard remembers the steps asked, offers Back under each question after the first and
    # takes a Back word typed alone as Back rather than as an answer (`conversations.back`).
    wizard: ClassVar[bool] = False
    # A wizard's step that shows every answer with buttons to change each: Back from a part
    # changed there returns to it.
    summary_step: ClassVar[str | None] = None

    async def ask(self, ctx: Context, step: str) -> Question:
        method: Callable[[Context], Awaitable[Question]] = getattr(self, f"ask_{step}")
        return await method(ctx)

    async def answer(self, ctx: Context, step: str, answer: Answer) -> str | None:
        method: Callable[[Context, Answer], Awaitable[str | None]] = getattr(self, f"on_{step}")
        return await method(ctx, answer)


@dataclass(frozen=True)
class Command:
    """A slash command, also reachable from buttons as `cmd:<name>`."""

    name: str
    description: str  # marked with N_, translated where shown
    run: Callable[[Context], Awaitable[None]]
    permission: Permission | None = None
    before_onboarding: bool = False
    keeps_flow: bool = False  # answers, then asks the current question again
    listed: bool = True


MenuBuilder = Callable[[Context], Awaitable[None]]
Action = Callable[[Context, list[str]], Awaitable[None]]


def command_choice(label: str, command: str) -> Choice:
    return Choice(label, COMMAND_PREFIX + command)
