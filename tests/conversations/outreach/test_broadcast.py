"""Announcements: the audience, the wizard, delivery with failures, a crash, the progress report
and stopping; each person gets it once, in their language."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bot.app import App
from bot.channels.base import RetryLater, TemporaryFailure, Unreachable
from bot.db.models import Broadcast, ChannelIdentity, OutboxMessage, User
from bot.scheduling.progress import report_broadcasts
from bot.services.outreach.audience import recipients
from conversations.outreach.ports import Audience
from tests.chat import Chat
from tests.conftest import FakeClock
from tests.conversations.grants.test_review import staff_member
from tests.conversations.meetings.test_invitations import person
from tests.conversations.people.test_onboarding import gettext

PEOPLE = [  # address, locale, role, region
    ("n-de-parchim", "de", "I am new in the district", "Parchim"),
    ("n-ar-parchim", "ar", "I am new in the district", "Parchim"),
    ("n-uk-hagenow", "uk", "I am new in the district", "Hagenow"),
    ("v-de-parchim", "de", "I volunteer", "Parchim"),
    ("v-fa-hagenow", "fa", "I volunteer", "Hagenow"),
]


async def everyone(app: App) -> dict[str, Chat]:
    chats = {}
    for address, locale, role, region in PEOPLE:
        chats[address] = await person(app, address, locale, role=role, region=region)
    return chats


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        (
            Audience(),
            {
                "n-de-parchim",
                "n-ar-parchim",
                "n-uk-hagenow",
                "v-de-parchim",
                "v-fa-hagenow",
                "admin",
            },
        ),
        (Audience(roles=("newcomer",)), {"n-de-parchim", "n-ar-parchim", "n-uk-hagenow"}),
        (Audience(roles=("volunteer",)), {"v-de-parchim", "v-fa-hagenow"}),
        (Audience(regions=("parchim",)), {"n-de-parchim", "n-ar-parchim", "v-de-parchim", "admin"}),
        (
            Audience(regions=("hagenow", "parchim"), roles=("newcomer",)),
            {"n-de-parchim", "n-ar-parchim", "n-uk-hagenow"},
        ),
        (Audience(languages=("ar", "uk")), {"n-ar-parchim", "n-uk-hagenow"}),
        (Audience(roles=("newcomer",), regions=("parchim",), languages=("de",)), {"n-de-parchim"}),
        (Audience(roles=("volunteer",), languages=("fa", "ar")), {"v-fa-hagenow"}),
        (Audience(regions=("parchim",), languages=("ar",)), {"n-ar-parchim"}),
        (Audience(regions=("hagenow",), languages=("de",)), set()),
        (Audience(regions=("sternberg-crivitz",)), set()),
    ],
)
async def test_the_audience_for_each_filter(
    app: App, audience: Audience, expected: set[str]
) -> None:
    await staff_member(app)
    await everyone(app)
    async with app.database.transaction() as session:
        await session.execute(
            update(User).where(User.display_name == "Admin").values(announcements_muted=False)
        )
        found = {address for _, _, _, address in await recipients(session, audience)}
    assert found == expected


async def test_muted_people_are_left_out(app: App) -> None:
    chats = await everyone(app)
    en = gettext(app, "de")
    muted = chats["n-de-parchim"]
    await muted.send("/settings")
    await muted.press(en("Mute announcements"))
    async with app.database.transaction() as session:
        found = {address for _, _, _, address in await recipients(session, Audience())}
        in_parchim = {
            address
            for _, _, _, address in await recipients(
                session, Audience(roles=("newcomer",), regions=("parchim",))
            )
        }
    assert "n-de-parchim" not in found and "n-ar-parchim" in found
    assert in_parchim == {"n-ar-parchim"}


async def test_people_who_have_not_accepted_the_privacy_notice_are_not_reached(
    app: App,
) -> None:
    await everyone(app)
    stranger = Chat(app, "stranger", language_code="de")
    await stranger.send("/start")
    async with app.database.transaction() as session:
        found = {address for _, _, _, address in await recipients(session, Audience())}
    assert "stranger" not in found and len(found) == len(PEOPLE)


async def test_a_person_on_two_channels_is_counted_and_reached_once(app: App) -> None:
    chats = await everyone(app)
    async with app.database.transaction() as session:
        user_id = await session.scalar(
            select(ChannelIdentity.user_id).where(ChannelIdentity.external_id == "n-de-parchim")
        )
        session.add(
            ChannelIdentity(
                user_id=user_id,
                channel="signal",
                external_id="+49170000",
                created_at=app.clock.now(),
            )
        )
    async with app.database.transaction() as session:
        people = await recipients(session, Audience(roles=("newcomer",)))
    assert [address for _, _, _, address in people].count("n-de-parchim") == 1
    assert "+49170000" not in {address for _, _, _, address in people}
    assert len(people) == 3 and len(chats) == len(PEOPLE)


async def test_an_announcement_reaches_exactly_its_audience_in_their_language(
    app: App, clock: FakeClock
) -> None:
    staff = await staff_member(app)
    chats = await everyone(app)
    for chat in chats.values():
        chat.channel.take(chat.address)
    en = gettext(app, "en")
    await staff.send("/broadcast")
    await staff.press(en("Newcomers"))
    await staff.press("Parchim")
    await staff.press(en("Done"))
    assert (
        app.catalogs.translator("en")
        .ngettext("This reaches {count} person.", "This reaches {count} people.", 2)
        .format(count=2)
        in staff.text
    )
    await staff.press(en("Done"))
    await staff.send("Sprachcafé am Freitag <18 Uhr> & mit Kuchen")
    await staff.press("العربية")
    # The language is named in the staff member's words, not in its own script mid-sentence.
    assert staff.text.startswith(
        en("Please write the version in {language}.").format(language="Arabic")
    )
    await staff.send("مقهى اللغة يوم الجمعة")
    await staff.press(en("Done"))
    await staff.press(en("Continue"))  # the summary
    previews = [reply.text for reply in staff.replies]
    assert any(p.startswith("Arabic, 1 person, will read:") for p in previews)
    assert any("Sprachcafé am Freitag &lt;18 Uhr&gt; &amp; mit Kuchen" in p for p in previews)
    assert any("مقهى اللغة يوم الجمعة" in p for p in previews)
    await staff.press(en("Send"))
    await staff.press(en("Yes, send"))

    assert [r.text for r in chats["n-de-parchim"].channel.take("n-de-parchim")] == [
        "Sprachcafé am Freitag &lt;18 Uhr&gt; &amp; mit Kuchen"
    ]
    assert [r.text for r in chats["n-ar-parchim"].channel.take("n-ar-parchim")] == [
        "مقهى اللغة يوم الجمعة"
    ]
    for address in ("n-uk-hagenow", "v-de-parchim", "v-fa-hagenow"):
        assert chats[address].channel.take(address) == []

    queued = await report_broadcasts(
        database=app.database, catalogs=app.catalogs, settings=app.settings, clock=clock
    )
    await app.dispatcher.send_now(queued)
    report = staff.channel.take("admin")[-1]
    assert (
        "2" in report.text and en("Sent: {sent} of {total}").format(sent=2, total=2) in report.text
    )


async def test_delivery_with_flood_control_blocks_failures_and_a_crash(
    app: App, clock: FakeClock, settings
) -> None:  # type: ignore[no-untyped-def]
    staff = await staff_member(app)
    chats = await everyone(app)
    channel = staff.channel
    for chat in chats.values():
        channel.take(chat.address)
    channel.fail_next("n-de-parchim", RetryLater(5))
    channel.fail_next("n-ar-parchim", Unreachable("Forbidden: bot was blocked by the user"))
    channel.fail_next("n-uk-hagenow", TemporaryFailure("Bad Gateway"))
    en = gettext(app, "en")
    await staff.send("/broadcast")
    await staff.press(en("Everyone"))
    await staff.press(en("Done"))
    await staff.press(en("Done"))
    await staff.send("Neue Termine im Dezember")
    await staff.press(en("Done"))
    await staff.press(en("Continue"))  # the summary
    await staff.press(en("Send"))
    await staff.press(en("Yes, send"))
    assert channel.take("v-de-parchim") != [] and channel.take("n-de-parchim") == []

    # the bot process dies; another one takes over later and finishes the job
    await app.close()
    restarted = App(settings, clock=clock)
    restarted.dispatcher.add_channel(channel)
    try:
        clock.advance(seconds=10)
        await restarted.dispatcher.dispatch_due()
        clock.advance(seconds=10)
        await restarted.dispatcher.dispatch_due()
        received = {address: [r.text for r in channel.take(address)] for address in chats}
        assert received["n-de-parchim"] == ["Neue Termine im Dezember"]
        assert received["n-uk-hagenow"] == ["Neue Termine im Dezember"]
        assert received["n-ar-parchim"] == []  # blocked the bot: never again
        assert received["v-de-parchim"] == []  # already had it: not twice
        for _ in range(2):
            queued = await report_broadcasts(
                database=restarted.database,
                catalogs=restarted.catalogs,
                settings=restarted.settings,
                clock=clock,
            )
            await restarted.dispatcher.send_now(queued)
        reports = channel.take("admin")
        final = (channel.edited["admin"] or {}).values()
        texts = [r.text for r in reports] + [r.text for r in final]
        assert any(
            en("Unreachable (blocked the bot): {unreachable}").format(unreachable=1) in text
            and en("<b>Announcement {id}: done</b>").format(id=1) in text
            for text in texts
        )
        async with restarted.database.transaction() as session:
            rows = (
                await session.scalars(
                    select(OutboxMessage).where(OutboxMessage.dedup_key.like("broadcast:1:to:%"))
                )
            ).all()
            assert len(rows) == 6 and len({r.dedup_key for r in rows}) == 6
            assert (await session.scalar(select(Broadcast.status))) == "done"
    finally:
        await restarted.close()


async def test_staff_can_stop_a_running_broadcast(app: App) -> None:
    staff = await staff_member(app)
    chats = await everyone(app)
    for chat in chats.values():
        staff.channel.fail_next(chat.address, RetryLater(60))
    en = gettext(app, "en")
    await staff.send("/broadcast")
    await staff.press(en("Everyone"))
    await staff.press(en("Done"))
    await staff.press(en("Done"))
    await staff.send("Bitte nicht senden")
    await staff.press(en("Done"))
    await staff.press(en("Continue"))  # the summary
    await staff.press(en("Send"))
    await staff.press(en("Yes, send"))
    await staff.press_data("bcstop:1")
    assert staff.replies[0].text == app.catalogs.translator("en").ngettext(
        "Stopped. {count} message was not sent.", "Stopped. {count} messages were not sent.", 5
    ).format(count=5)


async def test_volunteers_cannot_broadcast(app: App) -> None:
    chats = await everyone(app)
    volunteer = chats["v-de-parchim"]
    for attempt in ("/broadcast", "/survey", "/results"):
        await volunteer.send(attempt)
        assert volunteer.replies[0].text == gettext(app, "de")(
            "Sorry, only staff of the district office can do that."
        )
    await volunteer.press_data("bcstop:1")
    assert volunteer.replies[0].text == gettext(app, "de")(
        "Sorry, only staff of the district office can do that."
    )
