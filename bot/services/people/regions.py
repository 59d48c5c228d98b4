"""The district's five regions, each with an Aktivgruppe; seeded with stable keys."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Region

# Stable keys; the names are place names and stay as they are in every language.
DEFAULT_REGIONS: tuple[tuple[str, str], ...] = (
    ("hagenow", "Hagenow"),
    ("ludwigslust", "Ludwigslust"),
    ("parchim", "Parchim"),
    ("luebz-plau", "Lübz / Plau am See"),
    ("sternberg-crivitz", "Sternberg / Crivitz"),
)


async def seed_regions(session: AsyncSession) -> int:
    """Add the default regions that are missing; returns how many were added."""
    existing = set((await session.scalars(select(Region.key))).all())
    missing = [(key, name) for key, name in DEFAULT_REGIONS if key not in existing]
    for key, name in missing:
        position = next(i for i, (k, _) in enumerate(DEFAULT_REGIONS) if k == key)
        session.add(Region(key=key, name=name, position=position))
    await session.flush()
    return len(missing)


async def list_regions(session: AsyncSession) -> list[Region]:
    return list((await session.scalars(select(Region).order_by(Region.position, Region.id))).all())
