"""/apply: the micro-grant wizard. Every answer is saved in the draft at once; the summary lets
the applicant change any part without retyping the rest."""

from __future__ import annotations

import re
from datetime import date
from html import escape

from conversations.answers import EXAMPLE_CENTS, typed_amount, typed_count
from conversations.date_picker import DAY, MONTH, month_keyboard
from conversations.engine import Answer, Context, Flow, Invalid, Question, command_choice
from conversations.grant_summary import (
    AS_PRIVATE_PERSON,
    cost_lines,
    describe,
    first_open_step,
    refusal,
)
from conversations.grant_terms import CATEGORIES, TOPICS
from conversations.messages import Choice, Reply, rows
from conversations.my_applications import WIZARD
from conversations.my_applications import ContinueApplication as ContinueApplication  # for wiring
from conversations.ports import ApplicationView, GrantRuleError, Translator

KEEP = "keep"
DATE_RULES = ("in_the_past", "end_before_start", "outside_round")
BUDGET_RULES = ("total_zero", "over_cap", "over_pot")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]{2,}$")
PHONE = re.compile(r"^\+?[0-9 ()/.-]{6,24}$")
LIMITS = {
    "name": (2, 200),
    "organisation": (2, 200),
    "title": (3, 120),
    "description": (20, 2000),
    "item": (2, 200),
}
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


def text_answer(ctx: Context, answer: Answer, limit: str) -> str:
    _ = ctx.t.gettext
    low, high = LIMITS[limit]
    text = " ".join(answer.text.split()) if limit != "description" else answer.text.strip()
    if len(text) < low:
        raise Invalid(_("Please write at least {count} characters.").format(count=low))
    if len(text) > high:
        raise Invalid(
            _("Please write at most {count} characters; you wrote {length}.").format(
                count=ctx.t.format_number(high), length=ctx.t.format_number(len(text))
            )
        )
    return text


class ApplyForGrant(Flow):
    name = WIZARD
    first_step = "intro"

    async def application(self, ctx: Context) -> ApplicationView:
        application = await ctx.ports.grants.get(int(ctx.state.data["application_id"]))
        if application is None:
            raise Invalid(ctx.t.gettext("This application no longer exists."))
        return application

    async def then(self, ctx: Context) -> str:
        """Back to the summary when one part was being changed, else the first question not
        answered yet: the next one for a new draft, the one left open for a resumed one."""
        if ctx.state.data.get("editing"):
            return "summary"
        return first_open_step(await self.application(ctx))

    def question(
        self,
        ctx: Context,
        text: str,
        current: str | None = None,
        choices: tuple[tuple[Choice, ...], ...] = (),
    ) -> Question:
        _ = ctx.t.gettext
        if ctx.state.data.get("editing") and current:
            text += "\n\n" + _("Now: {value}").format(value=escape(current))
            choices = (*choices, (Choice(_("Keep it"), KEEP),))
        return Question(text, choices, free_text=True)

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
                    _("Still available in this round: {remaining}.").format(
                        remaining=ctx.t.format_money(funding_round.remaining_cents)
                    ),
                ]
            ),
            rows(
                Choice(_("Start the application"), "apply:start"),
                command_choice(_("Main menu"), "menu"),
            ),
        )

    async def on_intro(self, ctx: Context, answer: Answer) -> str:
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
            ctx, _("What is your name (first and last name)?"), application.applicant_name
        )

    async def on_name(self, ctx: Context, answer: Answer) -> str:
        if answer.data != KEEP:
            await ctx.ports.grants.update(
                ctx.state.data["application_id"], applicant_name=text_answer(ctx, answer, "name")
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
        )
        return question

    async def on_organisation(self, ctx: Context, answer: Answer) -> str:
        if answer.data != KEEP:
            organisation = (
                AS_PRIVATE_PERSON
                if answer.data == "none"
                else text_answer(ctx, answer, "organisation")
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
        )

    async def on_contact(self, ctx: Context, answer: Answer) -> str:
        if answer.data != KEEP:
            contact = answer.text.strip()
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
            ctx, _("What is the project called? A short title is enough."), application.title
        )

    async def on_title(self, ctx: Context, answer: Answer) -> str:
        if answer.data != KEEP:
            await ctx.ports.grants.update(
                ctx.state.data["application_id"], title=text_answer(ctx, answer, "title")
            )
        return await self.then(ctx)

    async def ask_description(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        application = await self.application(ctx)
        return self.question(
            ctx,
            _("What will happen, and for whom? A few sentences are enough."),
            application.description,
        )

    async def on_description(self, ctx: Context, answer: Answer) -> str:
        if answer.data != KEEP:
            await ctx.ports.grants.update(
                ctx.state.data["application_id"],
                description=text_answer(ctx, answer, "description"),
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
        )

    async def on_newcomers(self, ctx: Context, answer: Answer) -> str:
        if answer.data != KEEP:
            await ctx.ports.grants.update(
                ctx.state.data["application_id"], newcomers_expected=typed_count(ctx, answer)
            )
        return await self.then(ctx)

    async def date_question(
        self, ctx: Context, text: str, current: date | None, first: date
    ) -> Question:
        application = await self.application(ctx)
        shown = date.fromisoformat(ctx.state.data.get("month", first.isoformat()))
        keyboard = month_keyboard(ctx.t, shown, first=first, last=application.round.closes_on)
        example = ctx.t.format_short_date(first)
        text += "\n" + ctx.t.gettext("Type it (like {example}) or tap a day.").format(
            example=example
        )
        return self.question(ctx, text, ctx.t.format_date(current) if current else None, keyboard)

    def typed_date(self, ctx: Context, answer: Answer) -> date | None:
        """The chosen day, or None after the calendar moved to another month."""
        if answer.data and answer.data.startswith(MONTH):
            ctx.state.data["month"] = answer.data.removeprefix(MONTH)
            return None
        if answer.data and answer.data.startswith(DAY):
            return date.fromisoformat(answer.data.removeprefix(DAY))
        try:
            return ctx.t.parse_date(answer.text)
        except ValueError:
            raise Invalid(
                ctx.t.gettext("I could not read that date. Please write it like {example}.").format(
                    example=ctx.t.format_short_date(ctx.t.local_date(ctx.ports.clock.now()))
                )
            ) from None

    async def ask_start(self, ctx: Context) -> Question:
        application = await self.application(ctx)
        today = ctx.t.local_date(ctx.ports.clock.now())
        return await self.date_question(
            ctx,
            ctx.t.gettext("When does the project start?"),
            application.starts_on,
            max(today, application.round.opens_on),
        )

    async def on_start(self, ctx: Context, answer: Answer) -> str:
        if answer.data == KEEP:
            return await self.then(ctx)
        starts_on = self.typed_date(ctx, answer)
        if starts_on is None:
            return "start"
        ctx.state.data.pop("month", None)
        application = await self.application(ctx)
        self.check_dates(ctx, application, starts_on, None)
        ends_on = (
            application.ends_on
            if application.ends_on and application.ends_on >= starts_on
            else None
        )
        await ctx.ports.grants.update(application.id, starts_on=starts_on, ends_on=ends_on)
        return "end" if ends_on is None else await self.then(ctx)

    async def ask_end(self, ctx: Context) -> Question:
        application = await self.application(ctx)
        assert application.starts_on is not None
        return await self.date_question(
            ctx,
            ctx.t.gettext("When does the project end?"),
            application.ends_on,
            application.starts_on,
        )

    async def on_end(self, ctx: Context, answer: Answer) -> str:
        if answer.data == KEEP:
            return await self.then(ctx)
        ends_on = self.typed_date(ctx, answer)
        if ends_on is None:
            return "end"
        ctx.state.data.pop("month", None)
        application = await self.application(ctx)
        assert application.starts_on is not None
        self.check_dates(ctx, application, application.starts_on, ends_on)
        await ctx.ports.grants.update(application.id, ends_on=ends_on)
        return await self.then(ctx)

    def check_dates(
        self, ctx: Context, application: ApplicationView, starts_on: date, ends_on: date | None
    ) -> None:
        today = ctx.t.local_date(ctx.ports.clock.now())
        if starts_on < today or (ends_on is not None and ends_on < today):
            raise Invalid(refusal(ctx.t, GrantRuleError("in_the_past")))
        if ends_on is not None and ends_on < starts_on:
            raise Invalid(refusal(ctx.t, GrantRuleError("end_before_start")))
        last = ends_on or starts_on
        if starts_on < application.round.opens_on or last > application.round.closes_on:
            raise Invalid(
                refusal(ctx.t, GrantRuleError("outside_round"))
                + " "
                + ctx.t.gettext("The round runs from {start} to {end}.").format(
                    start=ctx.t.format_date(application.round.opens_on),
                    end=ctx.t.format_date(application.round.closes_on),
                )
            )

    async def ask_costs(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        application = await self.application(ctx)
        lines = [_("<b>Cost plan</b>")]
        if application.items:
            lines += cost_lines(ctx.t, application)
        lines += [
            "",
            _("Up to {cap} per application; {remaining} left in this round.").format(
                cap=ctx.t.format_money(application.round.cap_cents),
                remaining=ctx.t.format_money(application.round.remaining_cents),
            ),
            _("Add a cost item by choosing its kind:"),
        ]
        buttons = [
            Choice(_(CATEGORIES[key]), f"cost:{key}")
            for key in application.round.categories
            if key in CATEGORIES
        ]
        if application.items:
            buttons += [
                Choice(_("Remove an item"), "cost:remove"),
                Choice(_("The cost plan is complete"), "cost:done"),
            ]
        return Question("\n".join(lines), rows(*buttons))

    async def on_costs(self, ctx: Context, answer: Answer) -> str:
        key = (answer.data or "").removeprefix("cost:")
        if key == "remove":
            return "remove_item"
        if key == "done":
            application = await self.application(ctx)
            self.check_total(ctx, application, application.total_cents)
            return "summary"
        ctx.state.data["category"] = key
        return "item_description"

    def check_total(self, ctx: Context, application: ApplicationView, total: int) -> None:
        budget = application.round
        for code, limit, name in (
            ("over_cap", budget.cap_cents, "cap"),
            ("over_pot", budget.remaining_cents, "remaining"),
        ):
            if total > limit:
                raise Invalid(
                    refusal(ctx.t, GrantRuleError(code, over_by=total - limit, **{name: limit}))
                )

    async def ask_item_description(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        key = ctx.state.data["category"]
        category = _(CATEGORIES[key])
        return Question(
            _("{category}: what exactly is it for?").format(category=category), free_text=True
        )

    async def on_item_description(self, ctx: Context, answer: Answer) -> str:
        ctx.state.data["description"] = text_answer(ctx, answer, "item")
        return "item_amount"

    async def ask_item_amount(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        return Question(
            _("How much does it cost, in euros? For example {example}.").format(
                example=ctx.t.format_money(EXAMPLE_CENTS)
            ),
            free_text=True,
        )

    async def on_item_amount(self, ctx: Context, answer: Answer) -> str:
        _ = ctx.t.gettext
        cents = typed_amount(ctx, answer)
        application = await self.application(ctx)
        if cents <= 0:
            raise Invalid(refusal(ctx.t, GrantRuleError("item_zero")))
        self.check_total(ctx, application, application.total_cents + cents)
        updated = await ctx.ports.grants.add_item(
            application.id,
            category=ctx.state.data.pop("category"),
            description=ctx.state.data.pop("description"),
            amount_cents=cents,
        )
        ctx.say(
            _("Added. The total is now {total}.").format(
                total=ctx.t.format_money(updated.total_cents)
            )
        )
        return "costs"

    async def ask_remove_item(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        application = await self.application(ctx)
        buttons = [
            Choice(
                f"✕ {item.description[:40]} – {ctx.t.format_money(item.amount_cents)}",
                f"item:{item.id}",
            )
            for item in application.items
        ]
        return Question(
            _("Which item should be removed?"), rows(*buttons, Choice(_("Back"), "item:back"))
        )

    async def on_remove_item(self, ctx: Context, answer: Answer) -> str:
        item = (answer.data or "").removeprefix("item:")
        if item != "back":
            await ctx.ports.grants.remove_item(ctx.state.data["application_id"], int(item))
            ctx.say(ctx.t.gettext("The item has been removed."))
        return "costs"

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
        buttons = [Choice("✎ " + labels[label], f"edit:{step}") for step, label in EDITS]
        return Question(
            describe(ctx.t, application)
            + "\n\n"
            + _("Is everything right? Tap a part to change it, or continue."),
            (*rows(*buttons, per_row=3), (Choice(_("Continue"), "edit:done"),)),
        )

    async def on_summary(self, ctx: Context, answer: Answer) -> str:
        step = (answer.data or "").removeprefix("edit:")
        return "confirm" if step == "done" else step

    async def ask_confirm(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        return Question(
            "\n".join(
                [
                    _("Before you submit, please confirm:"),
                    _("1. The project is non-profit and serves the integration of newcomers."),
                    _("2. All information is true and complete."),
                    _(
                        "3. I agree that the district office stores and processes the data of this "
                        "application to decide on it and to account for the funding."
                    ),
                ]
            ),
            rows(
                Choice(_("I confirm all three and submit"), "confirm:yes"),
                Choice(_("Back to the summary"), "confirm:back"),
            ),
        )

    async def on_confirm(self, ctx: Context, answer: Answer) -> str | None:
        _ = ctx.t.gettext
        if answer.data == "confirm:back":
            return "summary"
        grants = ctx.ports.grants
        application_id = ctx.state.data["application_id"]
        await grants.update(application_id, confirmed_at=ctx.ports.clock.now())
        try:
            submitted = await grants.submit(application_id)
        except GrantRuleError as error:
            return await self.refused(ctx, error)
        ctx.say(
            _(
                "Thank you! Your application {reference} has been submitted. The district "
                "office will review it, and you will get the decision here."
            ).format(reference=submitted.reference)
        )
        await notify_staff(ctx, submitted)
        await ctx.engine.show_menu(ctx)
        return None

    async def refused(self, ctx: Context, error: GrantRuleError) -> str:
        """Why the submission was refused, and the question that can put it right."""
        application = await self.application(ctx)  # perhaps moved into the round open now
        if error.code in DATE_RULES and application.starts_on is not None:
            # The start alone first: if it is fine, the end is at fault.
            for step, ends_on in (("start", None), ("end", application.ends_on)):
                try:
                    self.check_dates(ctx, application, application.starts_on, ends_on)
                except Invalid as invalid:
                    ctx.say(invalid.message)
                    return step
        ctx.say(refusal(ctx.t, error))
        if error.code in DATE_RULES:
            return "start"
        if error.code in BUDGET_RULES:
            return "costs"
        if error.code == "incomplete":
            ctx.state.data["editing"] = False  # each missing answer in turn, then the summary
            return first_open_step(application)
        return "summary"


async def notify_staff(ctx: Context, application: ApplicationView) -> None:
    def render(t: Translator) -> Reply:
        _ = t.gettext
        return Reply(
            _("New application {reference}: “{title}” for {amount}.").format(
                reference=application.reference,
                title=escape(application.title or ""),
                amount=t.format_money(application.total_cents),
            ),
            ((command_choice(_("Review applications"), "review"),),),
        )

    # Each submission (the first, and each after a request for changes) is told once.
    await ctx.ports.notifications.to_staff(
        f"application:{application.id}:submitted:{application.decisions}", render
    )


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
