"""An answered question teaches the library: staff turn it, from the thread, into a keyword of
an existing topic (so /info finds that topic when someone asks the same) or into the draft of a
new topic, which newcomers see only once staff import its finished file."""

from __future__ import annotations

from html import escape

from conversations.flow import Context
from conversations.limits import record_id
from conversations.messages import CALLBACK_DATA_MAX_BYTES, Choice, Document, rows
from conversations.office.ports import LessonRuleError, QuestionView
from conversations.roles import Permission, allows

PREFIX = (
    "qtopic"  # qtopic:keyword:<question>, qtopic:to:<question>:<topic>, qtopic:draft:<question>
)
MARKDOWN = "text/markdown"


def lesson_choices(ctx: Context, question: QuestionView) -> tuple[tuple[Choice, ...], ...]:
    """The buttons under the staff's view of a question once it has been answered."""
    if question.first_answer_at is None or not allows(ctx.user, Permission.STAFF):
        return ()
    _ = ctx.t.gettext
    return rows(
        Choice(_("Add as keyword to a topic"), f"{PREFIX}:keyword:{question.id}"),
        Choice(_("Draft a new topic"), f"{PREFIX}:draft:{question.id}"),
        per_row=2,
    )


async def turn_into_topic(ctx: Context, args: list[str]) -> None:
    """The action behind the buttons; every step is checked against the role stored now."""
    _ = ctx.t.gettext
    if not allows(ctx.user, Permission.STAFF):
        ctx.say(_("Sorry, only staff of the district office can do that."))
        return
    what, question_id = args[0], record_id(args[1])
    try:
        if what == "keyword":
            await _choose_topic(ctx, question_id)
        elif what == "to":
            await _add_keyword(ctx, question_id, args[2])
        elif what == "draft":
            await _draft(ctx, question_id)
        else:
            raise ValueError(what)
    except LessonRuleError as error:
        ctx.say(_refusal(ctx, error.code))


async def _choose_topic(ctx: Context, question_id: int) -> None:
    _ = ctx.t.gettext
    topics = await ctx.ports.info.topics(ctx.user.locale)
    data = [(t.title, f"{PREFIX}:to:{question_id}:{t.key}") for t in topics]
    # A key too long for a button's data (Telegram's 64 bytes) cannot be offered.
    fitting = [(title, d) for title, d in data if len(d.encode()) <= CALLBACK_DATA_MAX_BYTES]
    ctx.say(
        _("To which topic should the question's words be added as a keyword?"),
        rows(*(Choice(title, d) for title, d in fitting), per_row=1),
    )


async def _add_keyword(ctx: Context, question_id: int, topic: str) -> None:
    _ = ctx.t.gettext
    keyword = await ctx.ports.lessons.add_keyword(question_id, topic)
    ctx.say(
        _(
            "Added to the topic's keywords: “{keyword}”. /info now finds the topic for this "
            "question. The keyword stays in the library when the person deletes their data: "
            "import the topic's file again to change it."
        ).format(keyword=escape(keyword))
    )


async def _draft(ctx: Context, question_id: int) -> None:
    _ = ctx.t.gettext
    draft = await ctx.ports.lessons.draft_topic(question_id, ctx.user.locale)
    ctx.say(
        _(
            "The draft of a new topic is saved; newcomers do not see it yet. Finish the attached "
            "file (title, text, keywords; leave out anything personal) and send it back to "
            "publish it, and the same file in the other languages."
        ),
        document=Document(name=draft.file_name, mime_type=MARKDOWN, content=draft.content),
    )


def _refusal(ctx: Context, code: str) -> str:
    _ = ctx.t.gettext
    texts = {
        "not_staff": _("Sorry, only staff of the district office can do that."),
        "not_answered": _("Only an answered question can become a keyword or a topic."),
        "no_text": _("This question has no words to search by (only a file)."),
        "published": _("A topic made from this question is already published."),
    }
    return texts.get(code, _("That button is no longer valid."))
