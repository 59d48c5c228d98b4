"""Privacy: the notice, /mydata (what is stored) and /deletemydata (erase it all)."""

from __future__ import annotations

from html import escape

from conversations.flow import Answer, Context, Flow, Question, command_choice
from conversations.languages import endonym
from conversations.messages import Choice, rows
from conversations.ports import Role


def privacy_notice(ctx: Context) -> str:
    _ = ctx.t.gettext
    return "\n\n".join(
        [
            _("<b>Privacy</b>"),
            _(
                "Gemeinsam is run by the office for equality, generations and diversity of "
                "Landkreis Ludwigslust-Parchim. To answer you it stores: your chat address, the "
                "name your messenger shows, your language, whether you volunteer or are new here, "
                "your region, and what you enter in the chat."
            ),
            _(
                "This is used only to run Gemeinsam, for example to send you information and "
                "invitations for your region. It is not passed on to anyone outside the district "
                "office."
            ),
            _(
                "It is kept until you delete it. /mydata shows everything stored about you, and "
                "/deletemydata deletes it at once."
            ),
            _(
                "Applications for funding and project reports are part of the district's "
                "funding records; they are kept when you delete your other data."
            ),
            _("Do you agree?"),
        ]
    )


def role_label(ctx: Context, role: Role | None) -> str:
    _ = ctx.t.gettext
    labels = {
        Role.VOLUNTEER: _("volunteer"),
        Role.NEWCOMER: _("newcomer"),
        Role.STAFF: _("staff of the district office"),
    }
    return labels[role] if role is not None else _("not chosen")


async def run_privacy(ctx: Context) -> None:
    _ = ctx.t.gettext
    notice = privacy_notice(ctx).rsplit("\n\n", 1)[0]  # without the closing question
    ctx.say(
        notice,
        ()
        if ctx.state.active
        else rows(
            command_choice(_("Show my data"), "mydata"),
            command_choice(_("Delete my data"), "deletemydata"),
            command_choice(_("Main menu"), "menu"),
        ),
    )


async def run_mydata(ctx: Context) -> None:
    _ = ctx.t.gettext
    data = await ctx.ports.users.personal_data(ctx.user.id)
    not_given = _("not given")
    lines = [
        _("<b>What Gemeinsam stores about you</b>"),
        _("Chat address: {addresses}").format(addresses=escape(", ".join(data.addresses))),
        _("Name: {name}").format(name=escape(data.display_name or not_given)),
        _("Language: {language}").format(language=endonym(data.locale)),
        _("Role: {role}").format(role=role_label(ctx, data.role)),
        _("Region: {region}").format(region=escape(data.region_name or not_given)),
        _("First contact: {date}").format(date=ctx.t.format_datetime(data.created_at)),
        _("Privacy notice accepted: {date}").format(
            # TRANSLATORS: shown after "Privacy notice accepted:" when it was not accepted.
            date=ctx.t.format_datetime(data.consented_at) if data.consented_at else _("no")
        ),
    ]
    if data.is_staff:
        lines.append(_("You are registered as staff of the district office."))
    if data.applications:
        lines.append(
            ctx.t.ngettext(
                "{count} application for funding (kept as a funding record).",
                "{count} applications for funding (kept as funding records).",
                data.applications,
            ).format(count=ctx.t.format_number(data.applications))
        )
    if data.open_conversation:
        lines.append(_("An unfinished conversation with your answers so far is saved."))
    ctx.say(
        "\n".join(lines),
        ()
        if ctx.state.active
        else rows(
            command_choice(_("Delete my data"), "deletemydata"),
            command_choice(_("Main menu"), "menu"),
        ),
    )


class DeleteData(Flow):
    name = "delete_data"
    first_step = "confirm"

    async def ask_confirm(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        return Question(
            _(
                "Do you really want to delete everything Gemeinsam stores about you? "
                "This cannot be undone."
            ),
            rows(
                Choice(_("Yes, delete my data"), "delete:yes"),
                Choice(_("No, keep it"), "delete:no"),
            ),
        )

    async def on_confirm(self, ctx: Context, answer: Answer) -> str | None:
        _ = ctx.t.gettext
        if answer.data != "delete:yes":
            ctx.say(_("Nothing was deleted."))
            await ctx.engine.show_menu(ctx)
            return None
        await ctx.ports.users.delete(ctx.user.id)
        ctx.user_deleted = True
        ctx.say(
            _("All your data has been deleted. Send /start if you want to use Gemeinsam again."),
        )
        return None


async def run_deletemydata(ctx: Context) -> None:
    await ctx.engine.start_flow(ctx, DeleteData.name)
