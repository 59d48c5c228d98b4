"""/link: one person, two messengers. One shows a short code, the other takes it, and from then on
both are one profile: applications, answers to invitations, settings."""

from __future__ import annotations

from datetime import datetime

from conversations.flow import Answer, Context, Flow, Invalid, Question, command_choice
from conversations.messages import rows
from conversations.people.ports import LinkResult

CODE_DIGITS = 8


def typed_code(text: str) -> str | None:
    """The code as typed, with spaces or dashes: eight digits (in any script), else None."""
    digits = "".join(str(int(ch)) for ch in text if ch.isdecimal())
    rest = "".join(ch for ch in text if not ch.isdecimal() and ch not in " -")
    return digits if len(digits) == CODE_DIGITS and not rest else None


def shown_code(code: str) -> str:
    return f"{code[:4]} {code[4:]}"


class LinkMessengers(Flow):
    name = "link"
    first_step = "code"

    async def ask_code(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        expires_at = datetime.fromisoformat(ctx.state.data["expires_at"])
        text = "\n\n".join(
            [
                _("<b>Use Gemeinsam in a second messenger</b>"),
                _("In your other messenger (Telegram or Signal), send me this: {command}").format(
                    command=f"<b>/link {shown_code(ctx.state.data['code'])}</b>"
                ),
                _("The code works once, until {time}.").format(time=ctx.t.format_time(expires_at)),
                _("Or, if your other messenger showed you a code, type it here."),
            ]
        )
        return Question(
            text, rows(command_choice(_("Cancel"), "cancel")), free_text=True, numeric=True
        )

    async def on_code(self, ctx: Context, answer: Answer) -> str | None:
        await link_with(ctx, answer.text)
        return None


async def link_with(ctx: Context, text: str) -> None:
    """Join this messenger with the one that showed the code; says how it went."""
    _ = ctx.t.gettext
    code = typed_code(text)
    if code is None:
        raise Invalid(_("That is not a code from /link. A code has 8 digits, like 1234 5678."))
    result = await ctx.ports.users.link_with(ctx.user.id, code)
    if result is LinkResult.UNKNOWN:
        raise Invalid(_("I do not know that code. Please check it, or send /link for a new one."))
    if result is LinkResult.EXPIRED:
        raise Invalid(_("That code has expired. Please send /link in the other messenger again."))
    if result is LinkResult.SAME:
        raise Invalid(_("That is the code of this chat. Please type it in your other messenger."))
    ctx.state.clear()
    ctx.say(
        _(
            "Done: both messengers now share one profile, with your applications, answers and "
            "settings. I write to the messenger you used last. /mydata shows both addresses."
        )
    )
    if result is LinkResult.MOVED:
        ctx.user_deleted = True  # this chat's own profile is gone: nothing more to save for it


async def run_link(ctx: Context) -> None:
    """`/link` shows a new code; `/link 1234 5678` takes one from the other messenger."""
    if ctx.inbound.args.strip():
        try:
            await link_with(ctx, ctx.inbound.args)
        except Invalid as error:
            ctx.say(error.message)
            await ctx.engine.ask_again(ctx)
        return
    code = await ctx.ports.users.link_code(ctx.user.id)
    await ctx.engine.start_flow(
        ctx,
        LinkMessengers.name,
        {"code": code.code, "expires_at": code.expires_at.isoformat()},
    )
