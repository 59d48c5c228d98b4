"""/apply: the micro-grant wizard. Every answer is saved in the draft at once; the summary lets
the applicant change any part without retyping the rest."""

from __future__ import annotations

import re

from conversations.answers import typed_count
from conversations.flow import Answer, Context, Invalid, Question, command_choice
from conversations.grants.costs import CostPlanSteps
from conversations.grants.my_applications import WIZARD
from conversations.grants.my_applications import (
    ContinueApplication as ContinueApplication,  # for wiring
)
from conversations.grants.steps import KEEP, PREVIOUS, text_answer
from conversations.grants.submission import SubmissionSteps
from conversations.grants.summary import AS_PRIVATE_PERSON, describe
from conversations.grants.terms import TOPICS
from conversations.limits import (
    CONTACT,
    ORGANISATION,
    PERSON_NAME,
    PROJECT_DESCRIPTION,
    PROJECT_TITLE,
)
from conversations.messages import Choice, rows
from conversations.summary import CHANGE, DONE, summary_question

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]{2,}$")
PHONE = re.compile(r"^\+?[0-9 ()/.-]{6,24}$")
# The summary's "change" buttons: which step each opens.
EDITS = (
    ("name", "Applicant"),
    ("organisation", "Organisation"),
    ("contact", "Contact"),
    ("region", "Region"),
    ("title", "Title"),
    ("description", "Description"),
    ("topics", "Topics"),
    ("volunteers", "Volunteers"),
    ("newcomers", "Newcomers"),
    ("start", "Start"),
    ("end", "End"),
    ("costs", "Costs"),
)


class ApplyForGrant(SubmissionSteps, CostPlanSteps):
    name = WIZARD
    first_step = "intro"
    wizard = True
    summary_step = "summary"

    async def ask_intro(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        funding_round = await ctx.ports.grants.open_round()
        assert funding_round is not None
        return Question(
            "\n\n".join(
                [
                    _("<b>Funding for micro-projects</b>"),
                    _(
                        "The district funds projects of volunteers for the integration of "
                        "newcomers with up to {cap} each: travel for joint excursions, fees for "
                        "moderators of trainings, room costs and materials for German lessons. "
                        "You apply here, the district office decides, and after the project you "
                        "report what it reached."
                    ).format(cap=ctx.t.format_money(funding_round.cap_cents)),
                    # The figures that bound every answer, before the first question.
                    "\n".join(
                        [
                            _("The round runs from {start} to {end}.").format(
                                start=ctx.t.format_date(funding_round.opens_on),
                                end=ctx.t.format_date(funding_round.closes_on),
                            ),
                            _("At most {cap} per application.").format(
                                cap=ctx.t.format_money(funding_round.cap_cents)
                            ),
                            _("Still available in this round: {remaining}.").format(
                                remaining=ctx.t.format_money(funding_round.remaining_cents)
                            ),
                        ]
                    ),
                ]
            ),
            rows(
                Choice(_("Start the application"), "apply:start"),
                command_choice(_("Main menu"), "menu"),
            ),
        )

    async def on_intro(self, ctx: Context, answer: Answer) -> str:
        if "application_id" in ctx.state.data:  # back at the start: the draft begun is kept
            return "name"
        funding_round = await ctx.ports.grants.open_round()
        if funding_round is None:
            raise Invalid(ctx.t.gettext("There is no open funding round at the moment."))
        draft = await ctx.ports.grants.start_draft(ctx.user.id, funding_round.id)
        ctx.state.data["application_id"] = draft.id
        return "name"

    async def ask_name(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        application = await self.application(ctx)
        return self.question(
            ctx,
            _("What is your name (first and last name)?"),
            application.applicant_name,
            limit=PERSON_NAME,
            previous=await self.previous(ctx, "applicant_name"),
        )

    async def on_name(self, ctx: Context, answer: Answer) -> str:
        if answer.data != KEEP:
            name = await self.previous(ctx, "applicant_name") if answer.data == PREVIOUS else None
            await ctx.ports.grants.update(
                ctx.state.data["application_id"],
                applicant_name=name or text_answer(ctx, answer, PERSON_NAME),
            )
        return await self.then(ctx)

    async def ask_organisation(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        application = await self.application(ctx)
        question = self.question(
            ctx,
            _("Do you apply for an initiative or organisation? Then write its name."),
            application.organisation,
            rows(Choice(_("No, as a private person"), "none")),
            limit=ORGANISATION,
        )
        return question

    async def on_organisation(self, ctx: Context, answer: Answer) -> str:
        if answer.data != KEEP:
            organisation = (
                AS_PRIVATE_PERSON
                if answer.data == "none"
                else text_answer(ctx, answer, ORGANISATION)
            )
            await ctx.ports.grants.update(
                ctx.state.data["application_id"], organisation=organisation
            )
        return await self.then(ctx)

    async def ask_contact(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        application = await self.application(ctx)
        return self.question(
            ctx,
            _(
                "How can the district office reach you? Please write an "
                "e-mail address or a phone number."
            ),
            application.contact,
            limit=CONTACT,
            previous=await self.previous(ctx, "contact"),
        )

    async def on_contact(self, ctx: Context, answer: Answer) -> str:
        if answer.data != KEEP:
            previous = await self.previous(ctx, "contact") if answer.data == PREVIOUS else None
            contact = previous or text_answer(ctx, answer, CONTACT)
            digits = sum(ch.isdigit() for ch in contact)
            if not (EMAIL.match(contact) or (PHONE.match(contact) and digits >= 6)):
                raise Invalid(
                    ctx.t.gettext(
                        "That is neither an e-mail address (like name@example.org) nor a phone "
                        "number (like 0385 1234567)."
                    )
                )
            await ctx.ports.grants.update(ctx.state.data["application_id"], contact=contact)
        return await self.then(ctx)

    async def ask_region(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        application = await self.application(ctx)
        # A project takes place in one of the regions: unlike at the set-up, "not sure yet" is
        # no answer here (the application has no place to keep it apart from "never asked").
        regions = await ctx.ports.users.regions()
        question = self.question(
            ctx,
            _("In which region will the project take place?"),
            application.region_name,
            rows(*(Choice(region.name, f"region:{region.key}") for region in regions), per_row=2),
        )
        return Question(question.text, question.choices)  # buttons only

    async def on_region(self, ctx: Context, answer: Answer) -> str:
        if answer.data != KEEP:
            key = (answer.data or "").removeprefix("region:")
            await ctx.ports.grants.update(ctx.state.data["application_id"], region_key=key)
        return await self.then(ctx)

    async def ask_title(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        application = await self.application(ctx)
        return self.question(
            ctx,
            _("What is the project called? A short title is enough."),
            application.title,
            limit=PROJECT_TITLE,
        )

    async def on_title(self, ctx: Context, answer: Answer) -> str:
        if answer.data != KEEP:
            await ctx.ports.grants.update(
                ctx.state.data["application_id"], title=text_answer(ctx, answer, PROJECT_TITLE)
            )
        return await self.then(ctx)

    async def ask_description(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        application = await self.application(ctx)
        return self.question(
            ctx,
            _("What will happen, and for whom? A few sentences are enough."),
            application.description,
            limit=PROJECT_DESCRIPTION,
        )

    async def on_description(self, ctx: Context, answer: Answer) -> str:
        if answer.data != KEEP:
            await ctx.ports.grants.update(
                ctx.state.data["application_id"],
                description=text_answer(ctx, answer, PROJECT_DESCRIPTION),
            )
        return await self.then(ctx)

    async def ask_topics(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        chosen = set((await self.application(ctx)).topics)
        buttons = [
            Choice(("✓ " if key in chosen else "") + _(label), f"topic:{key}")
            for key, label in TOPICS.items()
        ]
        if chosen:
            buttons.append(Choice(_("Done"), "topic:done"))
        return Question(
            _("Which topics does the project deal with? Tap all that apply, then Done."),
            rows(*buttons),
        )

    async def on_topics(self, ctx: Context, answer: Answer) -> str:
        key = (answer.data or "").removeprefix("topic:")
        if key == "done":
            return await self.then(ctx)
        topics = list((await self.application(ctx)).topics)
        topics = [t for t in topics if t != key] if key in topics else [*topics, key]
        await ctx.ports.grants.update(
            ctx.state.data["application_id"], topics=[t for t in TOPICS if t in topics]
        )
        return "topics"

    async def ask_volunteers(self, ctx: Context) -> Question:
        application = await self.application(ctx)
        current = application.volunteers_expected
        return self.question(
            ctx,
            ctx.t.gettext("How many volunteers will take part?"),
            None if current is None else ctx.t.format_number(current),
            numeric=True,
        )

    async def on_volunteers(self, ctx: Context, answer: Answer) -> str:
        if answer.data != KEEP:
            await ctx.ports.grants.update(
                ctx.state.data["application_id"], volunteers_expected=typed_count(ctx, answer)
            )
        return await self.then(ctx)

    async def ask_newcomers(self, ctx: Context) -> Question:
        application = await self.application(ctx)
        current = application.newcomers_expected
        return self.question(
            ctx,
            ctx.t.gettext("How many newcomers do you expect to reach?"),
            None if current is None else ctx.t.format_number(current),
            numeric=True,
        )

    async def on_newcomers(self, ctx: Context, answer: Answer) -> str:
        if answer.data != KEEP:
            await ctx.ports.grants.update(
                ctx.state.data["application_id"], newcomers_expected=typed_count(ctx, answer)
            )
        return await self.then(ctx)

    async def ask_summary(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        ctx.state.data["editing"] = True
        application = await self.application(ctx)
        labels = {
            "Applicant": _("Name"),
            "Organisation": _("Organisation"),
            "Contact": _("Contact"),
            "Region": _("Region"),
            "Title": _("Title"),
            "Description": _("Description"),
            "Topics": _("Topics"),
            "Volunteers": _("Volunteers"),
            "Newcomers": _("Newcomers"),
            "Start": _("Start"),
            "End": _("End"),
            "Costs": _("Costs"),
        }
        buttons = [Choice("✎ " + labels[label], CHANGE + step) for step, label in EDITS]
        return summary_question(ctx, describe(ctx.t, application), buttons)

    async def on_summary(self, ctx: Context, answer: Answer) -> str:
        step = (answer.data or "").removeprefix(CHANGE)
        return "confirm" if step == DONE else step


async def run_apply(ctx: Context) -> None:
    _ = ctx.t.gettext
    open_application = await ctx.ports.grants.editable_of(ctx.user.id)
    if open_application is not None:
        ctx.state.clear()
        await ctx.engine.start_flow(
            ctx, ContinueApplication.name, {"application_id": open_application.id}
        )
        return
    if await ctx.ports.grants.open_round() is None:
        ctx.say(_("There is no open funding round at the moment."))
        await ctx.engine.show_menu(ctx)
        return
    await ctx.engine.start_flow(ctx, ApplyForGrant.name)
