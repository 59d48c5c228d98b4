"""Staff keep the local contacts that newcomers see under the topics of /info: per region, for
one topic or for all of them, starting from which regions and topics still have none."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from conversations.flow import Answer, Context, Flow, Invalid, Question, command_choice
from conversations.limits import LOCAL_CONTACTS
from conversations.messages import Choice, rows
from conversations.outreach.ports import ALL_TOPICS, InfoRuleError, RegionContacts, TopicView
from conversations.roles import Permission

# An overview longer than this shows how many topics lack contacts rather than which.
OVERVIEW_LIMIT = 3500


class LocalContactsFlow(Flow):
    name = "contacts"
    first_step = "regions"
    permission = Permission.STAFF

    async def ask_regions(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        coverage = await ctx.ports.contacts.coverage()
        topics = await ctx.ports.info.topics(ctx.user.locale)
        text = overview(ctx, coverage, topics) + "\n\n"
        text += _("Which region's contacts do you want to add, change or remove?")
        regions = [Choice(c.region.name, f"region:{c.region.key}") for c in coverage]
        return Question(
            text, rows(*regions, per_row=2) + rows(command_choice(_("Main menu"), "menu"))
        )

    async def on_regions(self, ctx: Context, answer: Answer) -> str:
        ctx.state.data["region"] = (answer.data or "").removeprefix("region:")
        return "topic"

    async def ask_topic(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        region = await _region(ctx)
        topics = await ctx.ports.info.topics(ctx.user.locale)
        have = region.topics

        def label(title: str, key: str) -> str:
            return f"✓ {title}" if key in have else title

        text = _(
            "Local contacts in {region}: for which topic? Those for all topics are shown under "
            "every topic. ✓ marks what has contacts."
        ).format(region=escape(region.region.name))
        return Question(
            text,
            rows(
                Choice(label(_("All topics"), ALL_TOPICS), f"topic:{ALL_TOPICS}"),
                *(Choice(label(t.title, t.key), f"topic:{t.key}") for t in topics),
                per_row=2,
            )
            + rows(Choice(_("Back"), "to:regions")),
        )

    async def on_topic(self, ctx: Context, answer: Answer) -> str:
        if answer.data == "to:regions":
            return "regions"
        ctx.state.data["topic"] = (answer.data or "").removeprefix("topic:")
        return "text"

    async def ask_text(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        region_key, topic = ctx.state.data["region"], ctx.state.data["topic"]
        region = escape((await _region(ctx)).region.name)
        if topic == ALL_TOPICS:
            text = _(
                "Write the local contacts in {region} for every topic: offices, counselling, "
                "groups, with addresses, phone numbers and opening hours. They are shown under "
                "every topic, in this wording."
            ).format(region=region)
        else:
            text = _(
                "Write the local contacts in {region} for “{topic}”: offices, counselling, "
                "groups, with addresses, phone numbers and opening hours. They are shown under "
                "this topic, in this wording."
            ).format(region=region, topic=escape(await _topic_title(ctx, topic)))
        current = await ctx.ports.contacts.text(region_key, topic)
        buttons = [Choice(_("Back"), "to:topic")]
        if current:
            text += "\n\n" + _("Now: {value}").format(value=escape(current))
            buttons.insert(0, Choice(_("Remove these contacts"), "contacts:remove"))
        return Question(text, rows(*buttons), free_text=True, limit=LOCAL_CONTACTS)

    async def on_text(self, ctx: Context, answer: Answer) -> str:
        _ = ctx.t.gettext
        region_key, topic = ctx.state.data["region"], ctx.state.data["topic"]
        if answer.data == "to:topic":
            return "topic"
        try:
            if answer.data == "contacts:remove":
                await ctx.ports.contacts.remove(region_key, topic)
                ctx.say(_("The local contacts have been removed."))
            else:
                await ctx.ports.contacts.save(region_key, topic, answer.text)
                ctx.say(_("The local contacts have been saved."))
        except InfoRuleError:
            raise Invalid(_("This topic no longer exists.")) from None
        return "regions"


def overview(ctx: Context, coverage: Sequence[RegionContacts], topics: Sequence[TopicView]) -> str:
    """Which regions and topics still lack local contacts, a line per region: the topics by
    name (apart by a middle dot, as titles may have commas), or by number where the names
    would make it too long to read."""
    text = ""
    for by_name in (True, False):
        lines = [ctx.t.gettext("<b>Local contacts</b>")]
        lines += [_coverage(ctx, region, topics, by_name=by_name) for region in coverage]
        text = "\n".join(lines)
        if len(text) <= OVERVIEW_LIMIT:
            break
    return text


def _coverage(
    ctx: Context, region: RegionContacts, topics: Sequence[TopicView], *, by_name: bool
) -> str:
    _ = ctx.t.gettext
    name = escape(region.region.name)
    missing = [topic for topic in topics if topic.key not in region.topics]
    if ALL_TOPICS in region.topics or not missing:
        return _("✓ {region}: contacts for every topic").format(region=name)
    if len(missing) == len(topics):
        return _("✗ {region}: no local contacts yet").format(region=name)
    if by_name:
        return _("✗ {region}: none for {topics}").format(
            region=name, topics=" · ".join(escape(topic.title) for topic in missing)
        )
    return ctx.t.ngettext(
        "✗ {region}: none for {count} topic", "✗ {region}: none for {count} topics", len(missing)
    ).format(region=name, count=ctx.t.format_number(len(missing)))


async def _region(ctx: Context) -> RegionContacts:
    key = ctx.state.data["region"]
    found = next((c for c in await ctx.ports.contacts.coverage() if c.region.key == key), None)
    if found is None:
        raise Invalid(ctx.t.gettext("This region no longer exists."))
    return found


async def _topic_title(ctx: Context, key: str) -> str:
    topics = await ctx.ports.info.topics(ctx.user.locale)
    found = next((t for t in topics if t.key == key), None)
    if found is None:
        raise Invalid(ctx.t.gettext("This topic no longer exists."))
    return found.title
