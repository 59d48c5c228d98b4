"""Signal addresses: people are known by their UUID; staff and admins named by number are found
when they write with both, and a hidden number finds nobody else."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.app import App
from bot.channels.memory import MemoryChannel
from bot.db.models import ChannelIdentity, User
from bot.services.people import users
from bot.settings import Settings
from bot.settings_values import ConfigError, parse_address
from conversations.messages import Inbound, InboundKind
from tests.conftest import FakeClock

UUID = "0c8f6a1e-2b3d-4e5f-8a9b-1c2d3e4f5a6b"
NUMBER = "+4915112345678"


async def write(app: App, text: str, *, alias: str | None = NUMBER, key: str) -> None:
    await app.turns.handle(
        Inbound("signal", UUID, InboundKind.TEXT, update_key=key, text=text, alias=alias)
    )


async def identities(app: App) -> list[tuple[int, str]]:
    async with app.database.transaction() as session:
        rows = await session.execute(
            select(ChannelIdentity.user_id, ChannelIdentity.external_id).order_by(
                ChannelIdentity.id
            )
        )
        return [(user_id, external_id) for user_id, external_id in rows]


async def test_staff_added_by_number_are_found_when_they_write(app: App, clock: FakeClock) -> None:
    app.dispatcher.add_channel(MemoryChannel("signal"))
    async with app.database.transaction() as session:
        await users.set_staff(
            session,
            channel="signal",
            external_id=NUMBER,
            staff=True,
            actor="cli",
            default_locale="de",
            now=clock.now(),
        )
    await write(app, "Hallo", key="signal:1")
    found = await identities(app)
    assert [external_id for _, external_id in found] == [NUMBER, UUID]
    assert found[0][0] == found[1][0]  # one person
    async with app.database.transaction() as session:
        staff = await session.scalar(select(User.is_staff).where(User.id == found[0][0]))
        assert staff is True


async def test_someone_who_hides_their_number_is_a_person_of_their_own(
    app: App, clock: FakeClock
) -> None:
    app.dispatcher.add_channel(MemoryChannel("signal"))
    await write(app, "Hallo", alias=None, key="signal:1")
    assert [external_id for _, external_id in await identities(app)] == [UUID]


async def test_the_number_is_kept_only_for_an_admin_named_by_it(
    settings: Settings, clock: FakeClock
) -> None:
    for admins, kept in ((frozenset(), [UUID]), (frozenset({f"signal:{NUMBER}"}), [UUID, NUMBER])):
        app = App(replace(settings, admins=admins), clock=clock)
        app.dispatcher.add_channel(MemoryChannel("signal"))
        try:
            async with app.database.transaction() as session:
                await session.execute(ChannelIdentity.__table__.delete())
                await session.execute(User.__table__.delete())
            await write(app, "Hallo", key=f"signal:{len(kept)}")
            assert [external_id for _, external_id in await identities(app)] == kept
            async with app.database.transaction() as session:
                user = await session.scalar(select(User))
                assert user is not None
                view = await users.view(session, user, admins=app.settings.admins)
                assert view.is_admin is bool(admins)
        finally:
            await app.close()


def test_signal_addresses_are_a_uuid_or_an_international_number() -> None:
    assert parse_address(f"signal:{NUMBER}") == ("signal", NUMBER)
    assert parse_address(f"signal:{UUID.upper()}") == ("signal", UUID)
    for bad in ("signal:015112345678", "signal:alice", "signal:+49"):
        with pytest.raises(ConfigError):
            parse_address(bad)


def test_signal_needs_both_the_account_and_the_daemon() -> None:
    with pytest.raises(ConfigError, match="SIGNAL_CLI_URL"):
        Settings.from_env({"SIGNAL_ACCOUNT": NUMBER})
    with pytest.raises(ConfigError, match="SIGNAL_ACCOUNT"):
        Settings.from_env({"SIGNAL_CLI_URL": "http://127.0.0.1:8080"})
    with pytest.raises(ConfigError, match="SIGNAL_ACCOUNT"):
        Settings.from_env({"SIGNAL_ACCOUNT": "0151", "SIGNAL_CLI_URL": "http://127.0.0.1:8080"})
    with pytest.raises(ConfigError, match="SIGNAL_CLI_URL"):
        Settings.from_env({"SIGNAL_ACCOUNT": NUMBER, "SIGNAL_CLI_URL": "127.0.0.1:8080"})
    settings = Settings.from_env(
        {"SIGNAL_ACCOUNT": NUMBER, "SIGNAL_CLI_URL": "http://127.0.0.1:8080/"}
    )
    assert (settings.signal_account, settings.signal_cli_url) == (NUMBER, "http://127.0.0.1:8080")
