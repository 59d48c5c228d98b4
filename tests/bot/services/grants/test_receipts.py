"""The report service keeps only receipts whose type was found by their content, under a clean
name, and shows staff clean names even of files kept before names were cleaned."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import App
from bot.db.models import Application, GrantReport, ReportFile, User
from bot.services.grants.reports import ReportDesk
from conversations.grants.ports import GrantRuleError
from conversations.messages import Attachment
from tests.conftest import FakeClock
from tests.conversations.grants.test_report import approved

TZ = ZoneInfo("Europe/Berlin")


async def desk_of(app: App, session, clock: FakeClock, *, staff: bool) -> ReportDesk:  # type: ignore[no-untyped-def]
    application = await session.scalar(select(Application))
    user_id = application.user_id
    if staff:
        user_id = await session.scalar(select(User.id).where(User.id != application.user_id))
    return ReportDesk(session, actor_user_id=user_id, actor_is_staff=staff, now=clock.now(), tz=TZ)


async def test_a_type_not_found_by_content_is_never_kept(app: App, clock: FakeClock) -> None:
    await approved(app, "en")
    async with app.database.transaction() as session:
        desk = await desk_of(app, session, clock, staff=False)
        application_id = await session.scalar(select(Application.id))
        for declared in ("application/x-msdownload", "text/html", None):
            with pytest.raises(ValueError, match="not a checked receipt type"):
                await desk.add_receipt(
                    application_id,
                    channel="memory",
                    attachment=Attachment("ref", "a.pdf", declared, 10),
                )
        with pytest.raises(GrantRuleError) as too_big:
            await desk.add_receipt(
                application_id,
                channel="memory",
                attachment=Attachment("ref", "a.pdf", "application/pdf", 20 * 1024 * 1024 + 1),
            )
        assert too_big.value.params == {"limit": 20}
        assert (await session.scalars(select(ReportFile))).all() == []


async def test_names_are_cleaned_when_kept_and_when_shown(app: App, clock: FakeClock) -> None:
    await approved(app, "en")
    async with app.database.transaction() as session:
        desk = await desk_of(app, session, clock, staff=False)
        application_id = await session.scalar(select(Application.id))
        view = await desk.add_receipt(
            application_id,
            channel="memory",
            attachment=Attachment("ref-1", "x" * 300 + "\u202e.pdf", "application/pdf", 10),
        )
        assert view.receipts[0].name == "x" * 116 + ".pdf"
        report = await session.scalar(select(GrantReport))
        assert report is not None
        # a row from before names were cleaned
        report.files.append(
            ReportFile(
                channel="memory",
                file_ref="ref-2",
                name="../../\u202eevil\tname.jpg",
                mime_type="image/jpeg",
                size=10,
                created_at=clock.now(),
            )
        )
        await session.flush()
        staff = await desk_of(app, session, clock, staff=True)
        shown = await staff.receipts(application_id)
        assert [(a.file_ref, a.name) for a in shown] == [
            ("ref-1", "x" * 116 + ".pdf"),
            ("ref-2", "_.._evil name.jpg"),
        ]
