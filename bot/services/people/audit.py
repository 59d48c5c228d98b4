"""The audit log: who did what, for staff actions and changes of roles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
