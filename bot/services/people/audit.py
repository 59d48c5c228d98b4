"""The audit log: who did what, for staff actions and changes of roles; people who erased
their data appear in it by a pseudonym."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry


def record(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    at: datetime,
    subject: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(actor=actor, action=action, subject=subject, at=at, details=details or {})
    )


async def pseudonymise(session: AsyncSession, names: Sequence[str]) -> str:
    """Someone erased their data: the entries by or about them (`user:7`, their chat addresses)
    name them by a random pseudonym from now on, the same in all of them and known nowhere
    else, so the log still shows what one person did, but not who."""
    pseudonym = f"person:{secrets.token_hex(8)}"
    await session.execute(
        update(AuditEntry).where(AuditEntry.actor.in_(names)).values(actor=pseudonym)
    )
    await session.execute(
        update(AuditEntry).where(AuditEntry.subject.in_(names)).values(subject=pseudonym)
    )
    return pseudonym
