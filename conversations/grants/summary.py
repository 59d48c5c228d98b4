"""How an application reads (for the applicant's summary, for staff review, in notifications) and
where it stands."""

from __future__ import annotations

from html import escape

from conversations.grants.ports import ApplicationView, GrantRuleError
from conversations.grants.terms import CATEGORIES, STATUSES, TOPICS
from conversations.people.ports import ERASED
from conversations.ports import Translator

# The organisation of someone who applies as a private person; None means never asked.
AS_PRIVATE_PERSON = ""


def status_label(t: Translator, status: str) -> str:
    """The status in words; a status without a label shows as its key rather than failing."""
    return t.gettext(STATUSES.get(status, status))


def first_open_step(application: ApplicationView) -> str:
    """Where an application stands in the wizard: the first question never answered, else the
    summary. Optional answers count once given, even when the answer was "none"."""
    for step, answered in (
        ("name", application.applicant_name is not None),
        ("organisation", application.organisation is not None),
        ("contact", application.contact is not None),
        ("region", application.region_key is not None),
        ("title", application.title is not None),
        ("description", application.description is not None),
        ("topics", bool(application.topics)),
        ("volunteers", application.volunteers_expected is not None),
        ("newcomers", application.newcomers_expected is not None),
        ("start", application.starts_on is not None),
        ("end", application.ends_on is not None),
        ("costs", bool(application.items)),
    ):
        if not answered:
            return step
    return "summary"


def cost_lines(t: Translator, application: ApplicationView) -> list[str]:
    _ = t.gettext
    lines = [
        _("{number}. {category}: {description} – {amount}").format(
            number=t.format_number(number),
            category=_(CATEGORIES[item.category]),
            description=escape(item.description),
            amount=t.format_money(item.amount_cents),
        )
        for number, item in enumerate(application.items, start=1)
    ]
    lines.append(_("<b>Total: {amount}</b>").format(amount=t.format_money(application.total_cents)))
    return lines


def describe(t: Translator, application: ApplicationView) -> str:
    """The whole application, every piece of typed text escaped."""
    _ = t.gettext
    missing = _("not given yet")

    def text(value: str | None) -> str:
        if value == ERASED:  # the applicant erased their data; the funding record stays
            return _("deleted at the applicant's request")
        return escape(value) if value else missing

    def number(value: int | None) -> str:
        return t.format_number(value) if value is not None else missing

    heading = application.reference or _("Draft")
    lines = [
        f"<b>{escape(heading)}: {text(application.title)}</b>",
        _("Status: {status}").format(status=status_label(t, application.status)),
        "",
        _("Applicant: {name}").format(name=text(application.applicant_name)),
        _("Initiative or organisation: {organisation}").format(
            organisation=text(application.organisation) if application.organisation else _("none")
        ),
        _("Contact: {contact}").format(contact=text(application.contact)),
        _("Region: {region}").format(region=text(application.region_name)),
        "",
        _("What will happen and for whom: {description}").format(
            description=text(application.description)
        ),
        _("Topics: {topics}").format(
            topics=", ".join(_(TOPICS[topic]) for topic in application.topics) or missing
        ),
        _("Expected volunteers: {volunteers}").format(
            volunteers=number(application.volunteers_expected)
        ),
        _("Expected newcomers: {newcomers}").format(
            newcomers=number(application.newcomers_expected)
        ),
        _("From {start} to {end}").format(
            start=t.format_date(application.starts_on) if application.starts_on else missing,
            end=t.format_date(application.ends_on) if application.ends_on else missing,
        ),
        "",
        _("<b>Cost plan</b>"),
        *cost_lines(t, application),
    ]
    if application.approved_cents is not None:
        lines.append(
            _("Approved: {amount}").format(amount=t.format_money(application.approved_cents))
        )
    if application.decision_reason:
        lines.append(
            _("Note from the district office: {reason}").format(
                reason=escape(application.decision_reason)
            )
        )
    return "\n".join(lines)


def refusal(t: Translator, error: GrantRuleError) -> str:
    """What a broken grant rule means, in words and with the amounts."""
    _ = t.gettext
    money = {name: t.format_money(value) for name, value in error.params.items()}
    if error.code == "file_too_big":
        money = {"limit": t.format_number(error.params["limit"])}
    messages = {
        "total_zero": _("The total must be more than zero."),
        "item_zero": _("The amount must be more than zero."),
        "over_cap": _("That is {over_by} more than the {cap} an application may ask for."),
        "over_pot": _("That is {over_by} more than the {remaining} still left in this round."),
        "over_request": _("That is {over_by} more than the {requested} applied for."),
        "in_the_past": _("That date has already passed."),
        "end_before_start": _("The end cannot be before the start."),
        "outside_round": _("The project must take place within the funding round."),
        "incomplete": _("Some answers are still missing."),
        "round_closed": _("This funding round is closed."),
        "not_editable": _("This application can no longer be changed."),
        "already_decided": _("This application has been decided by someone else already."),
        "not_found": _("This application no longer exists."),
        "not_staff": _("Sorry, only staff of the district office can do that."),
        "own_application": _(
            "This is your own application: another member of staff or an administrator must "
            "decide it."
        ),
        "own_report": _(
            "This is your own report: another member of staff or an administrator must check it."
        ),
        "not_approved": _("Only approved projects have a report."),
        "file_too_big": _("That file is too big. Files may be up to {limit} MB."),
    }
    return messages[error.code].format(**money)
