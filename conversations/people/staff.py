"""/staff: who works for the district office in Gemeinsam (staff are added on the command line)."""

from __future__ import annotations

from html import escape

from conversations.flow import Context, command_choice


async def run_staff(ctx: Context) -> None:
    _ = ctx.t.gettext
    members = await ctx.ports.users.staff_members()
    lines = [_("<b>Staff members</b>")]
    for member in members:
        name = escape(member.display_name or "–")
        address = escape(member.address)
        if member.is_admin:
            lines.append(_("{name} ({address}), administrator").format(name=name, address=address))
        else:
            # TRANSLATORS: a staff member's name and chat address, e.g. "Anna (telegram:123)".
            lines.append(_("{name} ({address})").format(name=name, address=address))
    if not members:
        lines.append(_("No staff members yet."))
    lines.append(_("Administrators add staff with: python -m bot staff add telegram:ID"))
    ctx.say("\n".join(lines), ((command_choice(_("Main menu"), "menu"),),))
