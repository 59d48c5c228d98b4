"""Reports after approved projects: drafts, receipts, submission, and the staff's answer."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Application, GrantReport, ReportFile
from bot.services.desk import Desk
from bot.services.grants.records import application_view
from bot.services.people import audit
from conversations.grants.ports import ApplicationView, GrantRuleError, ReceiptView, ReportView
from conversations.grants.receipt_files import MAX_RECEIPT_BYTES, MAX_RECEIPT_MB, STORED_TYPES
from conversations.grants.terms import CATEGORIES
from conversations.limits import file_name
from conversations.messages import Attachment

REPORT_EDITABLE = ("draft", "more_requested")
REPORT_FIELDS = {"volunteers_reached", "newcomers_reached", "summary", "costs"}


async def report_view(session: AsyncSession, report: GrantReport) -> ReportView:
    application = await session.get_one(Application, report.application_id)
    return ReportView(
        application=await application_view(session, application),
        status=report.status,
        volunteers_reached=report.volunteers_reached,
        newcomers_reached=report.newcomers_reached,
        summary=report.summary,
        costs=dict(report.costs or {}),
        receipts=[ReceiptView(file_name(f.name), f.mime_type, f.size) for f in report.files],
        submissions=report.submissions,
        staff_note=report.staff_note,
    )


class ReportDesk(Desk):
    """Report rules for one person acting in one turn (used by `GrantDesk`)."""

    refusal = GrantRuleError

    async def _approved_own(self, application_id: int) -> Application:
        application = await self.session.get(Application, application_id)
        if application is None or application.user_id != self.actor_user_id:
            raise GrantRuleError("not_found")
        if application.status != "approved":
            raise GrantRuleError("not_approved")
        return application

    async def _report(self, application_id: int, *, create: bool) -> GrantReport | None:
        report = await self.session.scalar(
            select(GrantReport).where(GrantReport.application_id == application_id)
        )
        if report is None and create:
            report = GrantReport(
                application_id=application_id,
                status="draft",
                costs={},
                files=[],
                created_at=self.now,
                updated_at=self.now,
            )
            self.session.add(report)
            await self.session.flush()
        return report

    async def reportable_of(self, user_id: int) -> Sequence[ApplicationView]:
        rows = await self.session.scalars(
            select(Application)
            .outerjoin(GrantReport, GrantReport.application_id == Application.id)
            .where(
                Application.user_id == user_id,
                Application.status == "approved",
                (GrantReport.id.is_(None)) | GrantReport.status.in_(REPORT_EDITABLE),
            )
            .order_by(Application.id)
        )
        return [await application_view(self.session, row) for row in rows.all()]

    async def report_of(self, application_id: int) -> ReportView | None:
        application = await self.session.get(Application, application_id)
        if application is None or (
            application.user_id != self.actor_user_id and not self.actor_is_staff
        ):
            return None
        report = await self._report(application_id, create=False)
        return await report_view(self.session, report) if report else None

    async def _editable(self, application_id: int) -> GrantReport:
        await self._approved_own(application_id)
        report = await self._report(application_id, create=True)
        assert report is not None
        if report.status not in REPORT_EDITABLE:
            raise GrantRuleError("not_editable")
        return report

    async def update_report(self, application_id: int, **fields: object) -> ReportView:
        if fields.keys() - REPORT_FIELDS:
            raise ValueError(f"not editable: {sorted(fields.keys() - REPORT_FIELDS)}")
        report = await self._editable(application_id)
        costs = fields.get("costs")
        if isinstance(costs, dict) and not costs.keys() <= CATEGORIES.keys():
            raise ValueError(f"unknown categories {sorted(costs)}")
        for name, value in fields.items():
            setattr(report, name, value)
        report.updated_at = self.now
        await self.session.flush()
        return await report_view(self.session, report)

    async def add_receipt(
        self, application_id: int, *, channel: str, attachment: Attachment
    ) -> ReportView:
        """Keep a receipt whose content the flow has checked (`receipt_files.receipt_type`): its
        `mime_type` is the type found, never one merely declared, and its name is cleaned."""
        report = await self._editable(application_id)
        if attachment.mime_type not in STORED_TYPES:
            raise ValueError(f"not a checked receipt type: {attachment.mime_type!r}")
        # A channel may not know the size; such a file is taken, as Telegram hands a bot no file
        # over 20 MB anyway. A size that is known is checked.
        if attachment.size is not None and attachment.size > MAX_RECEIPT_BYTES:
            raise GrantRuleError("file_too_big", limit=MAX_RECEIPT_MB)
        report.files.append(
            ReportFile(
                channel=channel,
                file_ref=attachment.file_ref,
                name=file_name(attachment.name),
                mime_type=attachment.mime_type,
                size=attachment.size,
                created_at=self.now,
            )
        )
        report.updated_at = self.now
        await self.session.flush()
        return await report_view(self.session, report)

    async def submit_report(self, application_id: int) -> ReportView:
        report = await self._editable(application_id)
        if (
            report.volunteers_reached is None
            or report.newcomers_reached is None
            or not report.summary
        ):
            raise GrantRuleError("incomplete")
        report.status = "submitted"
        report.submissions += 1
        report.submitted_at = self.now
        report.updated_at = self.now
        application = await self.session.get_one(Application, application_id)
        audit.record(
            self.session,
            actor=f"user:{self.actor_user_id}",
            action="report.submit",
            subject=application.reference,
            at=self.now,
        )
        await self.session.flush()
        return await report_view(self.session, report)

    async def reports_awaiting(self) -> Sequence[ReportView]:
        self._staff_only()
        rows = await self.session.scalars(
            select(GrantReport)
            .where(GrantReport.status == "submitted")
            .order_by(GrantReport.submitted_at, GrantReport.id)
        )
        return [await report_view(self.session, report) for report in rows.all()]

    async def decide_report(
        self, application_id: int, *, accept: bool, note: str | None = None
    ) -> ReportView:
        self._staff_only()
        report = await self._report(application_id, create=False)
        if report is None:
            raise GrantRuleError("not_found")
        owner = await self.session.scalar(
            select(Application.user_id).where(Application.id == application_id)
        )
        if owner == self.actor_user_id:
            raise GrantRuleError("own_report")  # another member of staff or an admin checks it
        await self.session.refresh(report, ["status"], with_for_update=True)
        if report.status != "submitted":
            raise GrantRuleError("already_decided")
        report.status = "accepted" if accept else "more_requested"
        report.staff_note = note
        report.decided_at = self.now
        report.updated_at = self.now
        application = await self.session.get_one(Application, application_id)
        audit.record(
            self.session,
            actor=f"user:{self.actor_user_id}",
            action="report.accept" if accept else "report.more",
            subject=application.reference,
            at=self.now,
            details={"note": note},
        )
        await self.session.flush()
        return await report_view(self.session, report)

    async def receipts(self, application_id: int) -> Sequence[Attachment]:
        """The receipts of a report, each with the channel that holds it (staff only)."""
        self._staff_only()
        report = await self._report(application_id, create=False)
        if report is None:
            raise GrantRuleError("not_found")
        return [
            Attachment(f.file_ref, file_name(f.name), f.mime_type, f.size, channel=f.channel)
            for f in report.files
        ]
