"""/info: practical information for newcomers in their language, with their region's local
contacts for the topic; a typed question finds topics in any language; staff keep the texts (and,
in `contacts`, the local contacts)."""

from __future__ import annotations

from html import escape

from conversations.flow import Answer, Context, Flow, Invalid, Question, command_choice
from conversations.languages import endonym
from conversations.limits import SEARCH, TOPIC_TEXT
from conversations.messages import Choice, InboundKind, rows
from conversations.outreach.contacts import LocalContactsFlow
from conversations.outreach.ports import InfoRuleError
from conversations.ports import FileUnavailable
from conversations.roles import Permission, allows

PART = 1500  # characters per message: an article reads better in a few short messages
# A topic file's bytes: its text's limit in the widest UTF-8 characters, and room for the header.
TOPIC_FILE_BYTES = 4 * TOPIC_TEXT.high + 4_000


def parts(html: str) -> list[str]:
    """Paragraphs packed into messages of about PART characters."""
    messages: list[str] = []
    for paragraph in html.split("\n\n"):
        if messages and len(messages[-1]) + len(paragraph) < PART:
            messages[-1] += "\n\n" + paragraph
        else:
            messages.append(paragraph)
    return messages


def article_messages(title: str, html: str) -> list[str]:
    """The messages that show an article: its title in bold over the first of its parts. The
    import checks exactly these, so what was accepted is what Telegram gets."""
    messages = parts(html)
    return [f"<b>{escape(title)}</b>\n\n" + messages[0], *messages[1:]]


class Information(Flow):
    name = "info"
    first_step = "topics"

    async def ask_topics(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        topics = await ctx.ports.info.topics(ctx.user.locale)
        buttons = [Choice(topic.title, f"topic:{topic.key}") for topic in topics]
        if allows(ctx.user, Permission.STAFF):
            buttons.append(Choice(_("Edit local contacts"), "topic:contacts"))
        text = _("What would you like to know? Choose a topic, or just type your question.")
        return Question(
            text,
            rows(
                *buttons,
                command_choice(_("Ask the office"), "ask"),  # what no topic answers
                command_choice(_("Main menu"), "menu"),
            ),
            free_text=True,
            limit=SEARCH,
        )

    async def on_topics(self, ctx: Context, answer: Answer) -> str | None:
        if answer.data is None:
            if not await ctx.ports.info.search(answer.text, ctx.user.locale):
                raise Invalid(ctx.t.gettext("I found nothing on that. Please choose a topic."))
            ctx.state.data["query"] = answer.text
            return "found"
        key = answer.data.removeprefix("topic:")
        if key == "contacts":
            ctx.switch_to(LocalContactsFlow.name)
            return None
        await show_article(ctx, key)
        return "after"

    async def ask_found(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        found = await ctx.ports.info.search(ctx.state.data["query"], ctx.user.locale)
        return Question(
            _("I found these topics:"),
            rows(
                *(Choice(topic.title, f"topic:{topic.key}") for topic in found),
                Choice(_("All topics"), "after:topics"),
                command_choice(_("Main menu"), "menu"),
            ),
            free_text=True,
            limit=SEARCH,
        )

    async def on_found(self, ctx: Context, answer: Answer) -> str | None:
        if answer.data == "after:topics":
            return "topics"
        if answer.data is None:
            return await self.new_question(ctx, answer.text)
        return await self.on_topics(ctx, answer)

    async def new_question(self, ctx: Context, text: str) -> str:
        """Text after a result or an article is a new question: the topics it finds, or else
        every topic to choose from."""
        if await ctx.ports.info.search(text, ctx.user.locale):
            ctx.state.data["query"] = text
            return "found"
        ctx.say(ctx.t.gettext("I found nothing on that. Please choose a topic."))
        return "topics"

    async def ask_after(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        return Question(
            _("Anything else?"),
            rows(
                Choice(_("Other topics"), "after:topics"),
                command_choice(_("Ask the office"), "ask"),  # what the article left open
                command_choice(_("Main menu"), "menu"),
            ),
            free_text=True,
            limit=SEARCH,
        )

    async def on_after(self, ctx: Context, answer: Answer) -> str | None:
        if answer.data is None:
            return await self.new_question(ctx, answer.text)
        return "topics"


async def show_article(ctx: Context, topic: str) -> None:
    """The article, and under it the region's local contacts for the topic: its lines that
    point at contacts only where there are some."""
    _ = ctx.t.gettext
    contacts = await ctx.ports.contacts.for_article(ctx.user.region_key, topic)
    try:
        article = await ctx.ports.info.article(topic, ctx.user.locale, contacts=bool(contacts))
    except InfoRuleError:
        raise Invalid(_("This topic no longer exists.")) from None
    if article.locale != ctx.user.locale:
        ctx.say(
            _("This topic is not yet available in your language; here it is in {language}.").format(
                language=ctx.t.language_name(article.locale)
            )
        )
    for message in article_messages(article.title, article.html):
        ctx.say(message)
    if contacts:
        texts = "\n\n".join(escape(text) for text in contacts)
        ctx.say(_("<b>Local contacts in your region</b>") + "\n" + texts)
    ctx.say(_("Last checked: {date}").format(date=ctx.t.format_date(article.reviewed_on)))


async def search(ctx: Context, text: str) -> bool:
    """Topics matching a typed question, as buttons; False when nothing matches."""
    if not await ctx.ports.info.search(text, ctx.user.locale):
        return False
    await ctx.engine.start_flow(ctx, Information.name, {"query": text}, "found")
    return True


async def run_info(ctx: Context) -> None:
    await ctx.engine.start_flow(ctx, Information.name)


async def understand(ctx: Context) -> bool:
    """What a person sends outside any conversation: a question to search, or, from staff, an
    updated topic file."""
    inbound = ctx.inbound
    if inbound.kind is InboundKind.TEXT:
        return await search(ctx, inbound.text)
    if inbound.kind is InboundKind.DOCUMENT and inbound.attachment is not None:
        if not allows(ctx.user, Permission.STAFF):
            return False
        await import_topic_file(ctx)
        return True
    return False


async def import_topic_file(ctx: Context) -> None:
    _ = ctx.t.gettext
    attachment = ctx.inbound.attachment
    assert attachment is not None
    too_big = _(
        "That file is too big for a topic: a topic's text may have at most {count} characters."
    )
    if (attachment.size or 0) > TOPIC_FILE_BYTES:
        ctx.say(too_big.format(count=ctx.t.format_number(TOPIC_TEXT.high)))
        return
    try:
        content = await ctx.ports.files.fetch(ctx.inbound.channel, attachment)
    except FileUnavailable:
        ctx.say(_("Sorry, I could not check this file just now. Please send it again in a moment."))
        return
    if len(content) > TOPIC_FILE_BYTES:
        ctx.say(too_big.format(count=ctx.t.format_number(TOPIC_TEXT.high)))
        return
    try:
        article = await ctx.ports.info.import_file(attachment.name or "", content)
    except InfoRuleError as error:
        ctx.say(_("The file was not imported: {problem}").format(problem=escape(error.detail)))
        return
    ctx.say(
        _("Imported: “{title}” ({language}).").format(
            title=escape(article.title), language=endonym(article.locale)
        )
    )
