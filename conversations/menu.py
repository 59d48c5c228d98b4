"""The main menu and /help: what a person can do, by role, as buttons and as a list of commands."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.flow import Context, command_choice
from conversations.markers import N_
from conversations.messages import Choice, rows
from conversations.ports import Role
from conversations.roles import Permission, allows


@dataclass(frozen=True)
class MenuEntry:
    label: str  # marked with N_
    command: str
    roles: frozenset[Role] | None = None
    permission: Permission | None = None


VOLUNTEERS = frozenset({Role.VOLUNTEER, Role.STAFF})

MENU: tuple[MenuEntry, ...] = (
    MenuEntry(N_("Information"), "info"),
    MenuEntry(N_("Ask the office"), "ask"),
    MenuEntry(N_("Apply for funding"), "apply", roles=VOLUNTEERS),
    MenuEntry(N_("My applications"), "myapplications", roles=VOLUNTEERS),
    MenuEntry(N_("Report on a project"), "report", roles=VOLUNTEERS),
    MenuEntry(N_("Meetings"), "meetings"),
    MenuEntry(N_("Review applications"), "review", permission=Permission.STAFF),
    MenuEntry(N_("Plan a meeting"), "newmeeting", permission=Permission.STAFF),
    MenuEntry(N_("Announcement"), "broadcast", permission=Permission.STAFF),
    MenuEntry(N_("Survey"), "survey", permission=Permission.STAFF),
    MenuEntry(N_("Survey results"), "results", permission=Permission.STAFF),
    MenuEntry(N_("Figures"), "stats", permission=Permission.STAFF),
    MenuEntry(N_("Questions"), "questions", permission=Permission.STAFF),
    MenuEntry(N_("Settings"), "settings"),
    MenuEntry(N_("Language"), "language"),
    MenuEntry(N_("Privacy and my data"), "privacy"),
    MenuEntry(N_("Staff members"), "staff", permission=Permission.STAFF),
    MenuEntry(N_("Help"), "help"),
)


def menu_choices(ctx: Context) -> tuple[tuple[Choice, ...], ...]:
    _ = ctx.t.gettext
    entries = [
        entry
        for entry in MENU
        if allows(ctx.user, entry.permission)
        and (entry.roles is None or ctx.user.role in entry.roles)
    ]
    return rows(*(command_choice(_(entry.label), entry.command) for entry in entries), per_row=2)


async def show_menu(ctx: Context) -> None:
    _ = ctx.t.gettext
    ctx.state.clear()
    ctx.say(_("What would you like to do?"), menu_choices(ctx))


async def run_menu(ctx: Context) -> None:
    await show_menu(ctx)


async def run_help(ctx: Context) -> None:
    _ = ctx.t.gettext
    lines = [
        f"/{command.name} – {_(command.description)}"
        for command in ctx.engine.commands.values()
        if command.listed and allows(ctx.user, command.permission)
    ]
    text = "\n".join(
        [
            _(
                "<b>Gemeinsam</b> connects volunteers, newcomers and the district office of "
                "Ludwigslust-Parchim."
            ),
            "",
            _("You can do everything with the buttons. These commands work too:"),
            *lines,
        ]
    )
    back = ((command_choice(_("Main menu"), "menu"),),) if ctx.user.onboarded else ()
    ctx.say(text, () if ctx.state.active else back)
