"""The ports one turn gives the flows: every capability's desk, bound to the turn's session,
the person acting and one moment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.base import Channel, ChannelFiles
from bot.i18n import Catalogs
from bot.scheduling.working_time import WorkingTime
from bot.services.grants.applications import GrantDesk
from bot.services.grants.reports import ReportDesk
from bot.services.meetings.planning import MeetingDesk
from bot.services.office.lessons import QuestionLessonsDesk
from bot.services.office.questions import QuestionOffice
from bot.services.outreach.broadcasts import BroadcastDesk
from bot.services.outreach.contacts import ContactBook
from bot.services.outreach.info import InfoLibrary
from bot.services.outreach.notifications import Notifier
from bot.services.outreach.surveys import SurveyDesk
from bot.services.people.directory import UserDirectory
from bot.settings import Settings
from conversations.flow import Ports
from conversations.messages import Inbound
from conversations.ports import UserView


class DeskArguments(TypedDict):
    """What every desk is bound to: the person acting, whether they are staff, the moment."""

    actor_user_id: int
    actor_is_staff: bool
    now: datetime
    tz: ZoneInfo


class FixedClock:
    """The turn's single moment, so that every rule in one turn sees the same time."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


@dataclass(frozen=True)
class TurnPorts:
    ports: Ports
    notifier: Notifier
    broadcasts: BroadcastDesk

    async def flush(self) -> None:
        """Write what the desks hold to write in batches (bulk messages)."""
        await self.notifier.flush()

    @property
    def queueing(self) -> bool:
        """An announcement of this turn waits for the rest of its rows to be queued."""
        return self.broadcasts.queueing

    def queued(self) -> list[int]:
        """The outbox rows the turn queued for other people, to send after the commit."""
        return self.notifier.queued + self.broadcasts.queued


def turn_ports(
    session: AsyncSession,
    *,
    user: UserView,
    inbound: Inbound,
    now: datetime,
    settings: Settings,
    catalogs: Catalogs,
    channels: Mapping[str, Channel],
) -> TurnPorts:
    desk = DeskArguments(
        actor_user_id=user.id, actor_is_staff=user.is_staff, now=now, tz=settings.tz
    )
    broadcasts = BroadcastDesk(
        session, channel=inbound.channel, address=inbound.external_id, **desk
    )
    notifier = Notifier(
        session, catalogs=catalogs, admins=settings.admins, now=now, about_user_id=user.id
    )
    ports = Ports(
        users=UserDirectory(
            session,
            admins=settings.admins,
            now=now,
            actor=f"user:{user.id}",
            privacy=settings.privacy_terms,
            update_key=inbound.update_key,
        ),
        clock=FixedClock(now),
        translator=catalogs.translator,
        grants=GrantDesk(session, **desk),
        reports=ReportDesk(session, **desk),
        meetings=MeetingDesk(session, actor_role=user.role, **desk),
        info=InfoLibrary(session, **desk),
        contacts=ContactBook(session, **desk),
        files=ChannelFiles(channels),
        broadcasts=broadcasts,
        surveys=SurveyDesk(session, **desk),
        notifications=notifier,
        questions=QuestionOffice(
            session,
            actor_user_id=user.id,
            actor_is_staff=user.is_staff or user.is_admin,
            now=now,
            tz=settings.tz,
            answer_days=settings.ask_answer_days,
            max_open=settings.ask_max_open,
            is_overdue=lambda asked_at: WorkingTime.of(settings).is_overdue(
                asked_at, settings.ask_answer_days, now
            ),
            admins=settings.admins,
            catalogs=catalogs,
            queued=notifier.queued,
        ),
        lessons=QuestionLessonsDesk(session, **desk),
    )
    return TurnPorts(ports, notifier, broadcasts)
