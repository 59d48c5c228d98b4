"""Back in the wizards (flows with `Flow.wizard`): the trail of steps asked so far, kept in the
saved state so that a restart keeps it; the Back button under every question after the first;
and the Back word typed alone, in any of our languages, which is never taken as an answer."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from conversations.flow import BACK, Context, Flow, Question
from conversations.languages import LANGUAGE_CODES
from conversations.markers import N_
from conversations.messages import Choice, InboundKind
from conversations.state import FlowState

# The reserved key of the trail in `FlowState.data`: the steps before the current one, oldest
# first. Bounded, so that a long wizard cannot grow the saved state without end.
TRAIL = "_trail"
MAX_TRAIL = 40
BACK_LABEL = N_("Back")
# Besides each catalog's label of the Back button: words people type for it.
SYNONYMS = frozenset(
    {"zurück", "zurueck", "back", "رجوع", "عودة", "الرجوع", "بازگشت", "برگشت", "назад"}
)
LONGEST_WORD = 20  # longer text is an answer, not a Back word


def trail(state: FlowState) -> list[str]:
    steps = state.data.get(TRAIL, [])
    return [str(step) for step in steps] if isinstance(steps, list) else []


def prepare(state: FlowState, flow: Flow) -> None:
    """Before an answer: the trail is in the state, so that a flow that clears its data to start
    again (`state.data.clear()`) is seen to have done so."""
    if flow.wizard:
        state.data.setdefault(TRAIL, [])


def moved(state: FlowState, flow: Flow, step: str, next_step: str) -> None:
    """Remember `step` before `next_step` is asked. A step asked again (a wrong answer, a
    calendar turned, a topic ticked) is not remembered twice; a part changed from the summary
    comes back to the summary; returning to a step on the trail (the summary after a change, the
    cost plan after an item) shortens the trail to it; the first step starts it afresh."""
    if not flow.wizard or next_step == step:
        return
    steps = trail(state)
    if TRAIL not in state.data:  # the flow cleared what it had: it starts again
        steps = []
    elif step == flow.summary_step:
        steps = [*steps, step]
    elif next_step in steps:
        steps = steps[: len(steps) - 1 - steps[::-1].index(next_step)]
    elif next_step == flow.first_step:
        steps = []
    else:
        steps = [*steps, step]
    state.data[TRAIL] = steps[-MAX_TRAIL:]


def step_before(state: FlowState) -> str | None:
    """The step to go back to, taken off the trail; None at the first question."""
    steps = trail(state)
    if not steps:
        return None
    state.data[TRAIL] = steps[:-1]
    return steps[-1]


def own_back(question: Question) -> Choice | None:
    """The question's own way back, such as "No, back" on a confirmation."""
    return next((c for row in question.choices for c in row if c.data.endswith(":back")), None)


def offered(ctx: Context, flow: Flow, question: Question) -> Question:
    """`question` with a Back button, in a wizard after its first question, unless the question
    has its own way back."""
    if not flow.wizard or not trail(ctx.state) or own_back(question) is not None:
        return question
    back = Choice(ctx.t.gettext(BACK_LABEL), BACK)
    return replace(question, choices=(*question.choices, (back,)))


def wanted(ctx: Context, flow: Flow) -> bool:
    """Whether the person asks to go back: the Back button, or a Back word typed alone."""
    inbound = ctx.inbound
    if not flow.wizard:
        return False
    if inbound.kind is InboundKind.CHOICE and inbound.data == BACK:
        return True
    if inbound.kind is not InboundKind.TEXT or len(inbound.text) > LONGEST_WORD:
        return False
    return bare(inbound.text) in back_words(ctx)


def back_words(ctx: Context) -> frozenset[str]:
    """The label of the Back button in every language, and the synonyms."""
    labels = {bare(ctx.ports.translator(code).gettext(BACK_LABEL)) for code in LANGUAGE_CODES}
    return SYNONYMS | labels


def bare(text: str) -> str:
    """The word without surrounding spaces, punctuation, symbols or invisible marks, case-folded."""
    text = unicodedata.normalize("NFC", text)
    start, end = 0, len(text)
    while start < end and unicodedata.category(text[start])[0] in "PSZC":
        start += 1
    while end > start and unicodedata.category(text[end - 1])[0] in "PSZC":
        end -= 1
    return text[start:end].casefold()


def first_question(ctx: Context) -> str:
    return ctx.t.gettext("This is the first question; there is no earlier one to go back to.")
