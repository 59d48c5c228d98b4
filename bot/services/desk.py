"""What every service desk starts from: the turn's session (which a desk never commits), the
person acting in the turn, and its moment and time zone; and the one check of a staff right
that every staff action of a desk goes through, whether it came as a command or a button."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession


class Desk:
    # The port's rule error, raised with the code "not_staff" when a staff right is missing.
    refusal: ClassVar[type[Exception]] = PermissionError

    def __init__(
        self,
        session: AsyncSession,
        *,
        actor_user_id: int,
        actor_is_staff: bool,
        now: datetime,
        tz: ZoneInfo,
    ) -> None:
        self.session = session
        self.actor_user_id = actor_user_id
        self.actor_is_staff = actor_is_staff
        self.now = now
        self.tz = tz

    def _staff_only(self) -> None:
        """The stored role decides, at the moment the action runs: never the button's data."""
        if not self.actor_is_staff:
            raise self.refusal("not_staff")
