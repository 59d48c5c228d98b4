"""Changing one part of a wizard from its summary (/newmeeting, /broadcast): the part's question
shows the current answer with a button to keep it, and the answer leads back to the summary
rather than through the questions after it."""

from __future__ import annotations

from dataclasses import replace

from conversations.flow import Context, Question
from conversations.limits import shortened
from conversations.messages import Choice, rows

SUMMARY = "summary"
KEEP = "keep"
EDITING = "editing"  # in the wizard's state: a part is being changed from the summary
SHOWN = 300  # characters of a long current answer shown with its question


def editing(ctx: Context) -> bool:
    return bool(ctx.state.data.get(EDITING))


def then(ctx: Context, step: str) -> str:
    """Back to the summary when one part was being changed, else the next question."""
    return SUMMARY if editing(ctx) else step


def keeping(ctx: Context, question: Question, current: str | None) -> Question:
    """`question` as asked from the summary: with the current answer and a button to keep it."""
    if not editing(ctx) or not current:
        return question
    _ = ctx.t.gettext
    return replace(
        question,
        text=question.text
        + "\n\n"
        + _("Now: {value}").format(value=shortened(ctx.t, current, SHOWN)),
        choices=(*question.choices, (Choice(_("Keep it"), KEEP),)),
    )


CHANGE = "edit:"  # a summary's change buttons: `edit:<step>`, and `edit:done` to go on
DONE = "done"


def summary_question(ctx: Context, text: str, buttons: list[Choice]) -> Question:
    """The summary: what was entered, a change button per part, and Continue."""
    _ = ctx.t.gettext
    return Question(
        text + "\n\n" + _("Is everything right? Tap a part to change it, or continue."),
        (*rows(*buttons, per_row=3), (Choice(_("Continue"), CHANGE + DONE),)),
    )


def part_to_change(ctx: Context, data: str | None) -> str | None:
    """The step a summary's button asks again (marking the state as changing from the summary),
    or None for Continue."""
    step = (data or "").removeprefix(CHANGE)
    if step == DONE:
        return None
    ctx.state.data[EDITING] = True
    return step
