"""Retention: what is past its configured days is deleted once a day, with one audit entry of
counts; everything else stays."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select, update

from bot.app import App
from bot.channels.base import Unreachable
from bot.channels.memory import MemoryChannel
from bot.db.models import Application, AuditEntry, ChannelIdentity, OutboxMessage, User
from bot.scheduling.jobs import clean_up
from bot.services.people.users import set_staff
from bot.settings import Settings
from conversations.people.ports import Retention
from tests.chat import Chat
from tests.conftest import FakeClock
from tests.conversations.people.test_onboarding import gettext, onboard

RETENTION = Retention(unfinished_signup_days=3, draft_days=10, unreachable_days=20, outbox_days=15)


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[App]:
    """The bot with short retention days, as an operator may set them."""
    app = App(replace(settings, retention=RETENTION), clock=clock)
    app.dispatcher.add_channel(MemoryChannel())
    yield app
    await app.close()


async def start_draft(chat: Chat) -> None:
    _ = gettext(chat.app, "de")
    await chat.send("/apply")
    await chat.press(_("Start the application"))
    await chat.send("Vera Schulz")


async def test_each_kind_goes_after_its_days_and_the_run_is_audited(
    app: App, clock: FakeClock
) -> None:
    _ = gettext(app, "de")
    quitter = Chat(app, "quitter")  # never finishes the set-up
    await quitter.send("/start")
    await quitter.press("Deutsch")
    drafter = Chat(app, "drafter", display_name="Vera")  # leaves an application half-done
    await onboard(drafter, "Deutsch", "de")
    await start_draft(drafter)
    await drafter.send("/cancel")
    blocked = Chat(app, "blocked", display_name="Boris")  # blocks the bot
    await onboard(blocked, "Deutsch", "de")
    staff = Chat(app, "staff", display_name="Stefanie")  # staff who blocked it too
    await onboard(staff, "Deutsch", "de")
    async with app.database.transaction() as session:
        await set_staff(
            session,
            channel="memory",
            external_id="staff",
            staff=True,
            actor="cli",
            default_locale="de",
            now=clock.now(),
        )
    for chat in (blocked, staff):
        chat.channel.fail_next(chat.address, Unreachable("Forbidden: bot was blocked by the user"))
        await chat.send("/menu")
    async with app.database.transaction() as session:
        unreachable = await session.scalar(
            select(func.count()).select_from(User).where(User.unreachable_at.is_not(None))
        )
    assert unreachable == 2
    sent_rows = await count(app, OutboxMessage)

    clock.advance(days=2)
    run = await clean_up(app.database, clock, RETENTION)
    assert (run.unfinished_signups, run.unreachable_people, run.drafts, run.outbox_rows) == (
        0,
        0,
        0,
        0,
    )

    clock.advance(days=2)  # day 4: the set-up that was never finished goes
    run = await clean_up(app.database, clock, RETENTION)
    assert run.unfinished_signups == 1
    assert await addresses(app) == {"drafter", "blocked", "staff"}

    clock.advance(days=7)  # day 11: the draft untouched for 10 days goes, its author stays
    run = await clean_up(app.database, clock, RETENTION)
    assert run.drafts == 1 and await count(app, Application) == 0
    assert await addresses(app) == {"drafter", "blocked", "staff"}

    clock.advance(days=5)  # day 16: copies of messages handled 15 days ago go
    run = await clean_up(app.database, clock, RETENTION)
    assert 0 < run.outbox_rows <= sent_rows
    assert await count(app, OutboxMessage) == 0

    clock.advance(days=5)  # day 21: who cannot be reached for 20 days goes, staff stay
    run = await clean_up(app.database, clock, RETENTION)
    assert run.unreachable_people == 1
    assert await addresses(app) == {"drafter", "staff"}

    async with app.database.transaction() as session:
        runs = (
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "retention.run")
                .order_by(AuditEntry.id)
            )
        ).all()
    assert [entry.actor for entry in runs] == ["scheduler"] * 5
    assert runs[1].details["unfinished_signups"] == 1
    assert runs[-1].details["unreachable_people"] == 1
    assert runs[-1].details["unreachable_days"] == 20
    logged = " ".join(f"{entry.subject} {entry.details}" for entry in runs)
    for personal in ("quitter", "drafter", "blocked", "Vera", "Boris", "Schulz"):
        assert personal not in logged


async def test_writing_again_keeps_an_unreachable_person(app: App, clock: FakeClock) -> None:
    chat = Chat(app, "back")
    await onboard(chat, "Deutsch", "de")
    chat.channel.fail_next("back", Unreachable("Forbidden: bot was blocked by the user"))
    await chat.send("/menu")
    clock.advance(days=19)
    await chat.send("/menu")  # unblocked the bot and wrote
    clock.advance(days=19)
    run = await clean_up(app.database, clock, RETENTION)
    assert run.unreachable_people == 0
    assert await addresses(app) == {"back"}


async def test_a_draft_that_is_worked_on_stays(app: App, clock: FakeClock) -> None:
    _ = gettext(app, "de")
    chat = Chat(app, "v")
    await onboard(chat, "Deutsch", "de")
    await start_draft(chat)
    clock.advance(days=9)
    await chat.press(_("No, as a private person"))  # a change: the draft's days start again
    clock.advance(days=9)
    run = await clean_up(app.database, clock, RETENTION)
    assert run.drafts == 0
    async with app.database.transaction() as session:
        assert (await session.scalars(select(Application.status))).all() == ["draft"]


async def test_a_deleted_draft_leaves_the_wizard_politely(app: App, clock: FakeClock) -> None:
    _ = gettext(app, "de")
    chat = Chat(app, "v")
    await onboard(chat, "Deutsch", "de")
    await start_draft(chat)  # and leaves the wizard open
    clock.advance(days=11)
    await clean_up(app.database, clock, RETENTION)
    await chat.press(_("No, as a private person"))
    assert chat.replies[0].text == _("This application no longer exists.")
    assert _("Settings") in chat.labels  # the main menu


async def test_submitted_applications_are_not_drafts(app: App, clock: FakeClock) -> None:
    chat = Chat(app, "v")
    await onboard(chat, "Deutsch", "de")
    await start_draft(chat)
    async with app.database.transaction() as session:
        await session.execute(
            update(Application).values(status="submitted", submitted_at=clock.now())
        )
    clock.advance(days=100)
    run = await clean_up(app.database, clock, RETENTION)
    assert run.drafts == 0 and await count(app, Application) == 1


async def test_the_scheduler_runs_it_once_a_day_with_the_configured_days(
    app: App, clock: FakeClock
) -> None:
    job = app.scheduler.get_job("clean-up")
    assert isinstance(job.trigger, CronTrigger)
    assert await app.lease.renew()  # the process that runs the scheduled jobs
    quitter = Chat(app, "quitter")
    await quitter.send("/start")
    clock.advance(days=4)  # past the configured 3 days, not the default 7
    await job.func()
    assert await addresses(app) == set()


async def count(app: App, model: type) -> int:
    async with app.database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def addresses(app: App) -> set[str]:
    async with app.database.transaction() as session:
        return set((await session.scalars(select(ChannelIdentity.external_id))).all())
