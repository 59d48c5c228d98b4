"""/apply: the cost plan, built one item at a time (kind, what for, amount) and checked against
the cap per application and what is left in the round."""

from __future__ import annotations

from conversations.answers import EXAMPLE_CENTS, typed_amount
from conversations.flow import Answer, Context, Invalid, Question
from conversations.grants.ports import ApplicationView, GrantRuleError
from conversations.grants.steps import ApplicationSteps, text_answer
from conversations.grants.summary import cost_lines, refusal
from conversations.grants.terms import CATEGORIES
from conversations.limits import COST_ITEM
from conversations.messages import Choice, rows


class CostPlanSteps(ApplicationSteps):
    """The steps `costs`, `item_description`, `item_amount` and `remove_item` of the wizard."""

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
            _("{category}: what exactly is it for?").format(category=category),
            free_text=True,
            limit=COST_ITEM,
        )

    async def on_item_description(self, ctx: Context, answer: Answer) -> str:
        ctx.state.data["description"] = text_answer(ctx, answer, COST_ITEM)
        return "item_amount"

    async def ask_item_amount(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        return Question(
            _("How much does it cost, in euros? For example {example}.").format(
                example=ctx.t.format_money(EXAMPLE_CENTS)
            ),
            free_text=True,
            numeric=True,
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
