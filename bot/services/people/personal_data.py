"""Everything stored about one person, gathered for /mydata and its file."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Application,
    Conversation,
    GrantReport,
    GroupMembership,
    Meeting,
    OutboxMessage,
    Question,
    QuestionMessage,
    Region,
    Rsvp,
    Survey,
    SurveyAnswer,
    User,
)
from bot.delivery import PENDING
from bot.services.people.users import addresses
from conversations.people.ports import (
    ApplicationData,
    MeetingAnswerData,
    PersonalData,
    QuestionData,
    QuestionMessageData,
    SurveyAnswerData,
)
from conversations.ports import Role


async def personal_data(session: AsyncSession, user: User) -> PersonalData:
    regions = dict((await session.execute(select(Region.id, Region.name))).all())
    conversation = await session.get(Conversation, user.id)
    queued = await session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.user_id == user.id, OutboxMessage.status == PENDING)
    )
    groups = await session.scalars(
        select(GroupMembership.region_id)
        .where(GroupMembership.user_id == user.id)
        .order_by(GroupMembership.joined_at)
    )
    return PersonalData(
        locale=user.locale,
        role=Role(user.role) if user.role else None,
        region_name=regions.get(user.region_id) if user.region_id is not None else None,
        display_name=user.display_name,
        addresses=await addresses(session, user.id),
        created_at=user.created_at,
        consented_at=user.privacy_accepted_at or user.consented_at,
        privacy_version=user.privacy_version,
        is_staff=user.is_staff,
        open_conversation=conversation.flow if conversation else None,
        messages_queued=queued or 0,
        applications=await _applications(session, user.id, regions),
        meeting_answers=await _meeting_answers(session, user.id),
        survey_answers=await _survey_answers(session, user.id),
        group_regions=[regions[region_id] for region_id in groups if region_id in regions],
        muted=user.announcements_muted,
        questions=await _questions(session, user.id, regions),
    )


async def _applications(
    session: AsyncSession, user_id: int, regions: dict[int, str]
) -> list[ApplicationData]:
    rows = await session.execute(
        select(Application, GrantReport)
        .outerjoin(GrantReport, GrantReport.application_id == Application.id)
        .where(Application.user_id == user_id)
        .order_by(Application.created_at, Application.id)
    )
    return [
        ApplicationData(
            reference=application.reference,
            status=application.status,
            title=application.title,
            applicant_name=application.applicant_name,
            organisation=application.organisation,
            contact=application.contact,
            region_name=regions.get(application.region_id or 0),
            description=application.description,
            total_cents=sum(item.amount_cents for item in application.items),
            approved_cents=application.approved_cents,
            starts_on=application.starts_on,
            ends_on=application.ends_on,
            created_at=application.created_at,
            submitted_at=application.submitted_at,
            decided_at=application.decided_at,
            report_status=report.status if report else None,
            report_summary=report.summary if report else None,
            receipts=len(report.files) if report else 0,
        )
        for application, report in rows
    ]


async def _meeting_answers(session: AsyncSession, user_id: int) -> list[MeetingAnswerData]:
    rows = await session.execute(
        select(Meeting.title, Meeting.starts_at, Rsvp.answer, Rsvp.guests, Rsvp.updated_at)
        .join(Meeting, Meeting.id == Rsvp.meeting_id)
        .where(Rsvp.user_id == user_id)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return [MeetingAnswerData(*row) for row in rows]


async def _survey_answers(session: AsyncSession, user_id: int) -> list[SurveyAnswerData]:
    rows = await session.execute(
        select(Survey.question, Survey.options, SurveyAnswer.option, SurveyAnswer.text)
        .add_columns(SurveyAnswer.answered_at)
        .join(Survey, Survey.id == SurveyAnswer.survey_id)
        .where(SurveyAnswer.user_id == user_id)
        .order_by(SurveyAnswer.answered_at)
    )
    answers = []
    for question, options, option, text, answered_at in rows:
        chosen = options[option] if option is not None and 0 <= option < len(options) else None
        answers.append(SurveyAnswerData(question, chosen or text or "", answered_at))
    return answers


async def _questions(
    session: AsyncSession, user_id: int, regions: dict[int, str]
) -> list[QuestionData]:
    questions = (
        await session.scalars(
            select(Question).where(Question.user_id == user_id).order_by(Question.created_at)
        )
    ).all()
    messages: dict[int, list[QuestionMessageData]] = {q.id: [] for q in questions}
    rows = await session.scalars(
        select(QuestionMessage)
        .where(QuestionMessage.question_id.in_(list(messages)))
        .order_by(QuestionMessage.id)
    )
    for row in rows:
        messages[row.question_id].append(
            QuestionMessageData(
                from_staff=row.from_staff,
                text=row.text,
                file_kind=row.file_kind,
                file_name=row.file_name,
                created_at=row.created_at,
            )
        )
    return [
        QuestionData(
            reference=question.reference or "",
            status=question.status,
            region_name=regions.get(question.region_id or 0),
            locale=question.locale,
            created_at=question.created_at,
            taken=question.taken_by is not None or question.taken_at is not None,
            first_answer_at=question.first_answer_at,
            closed_at=question.closed_at,
            messages=messages[question.id],
        )
        for question in questions
    ]
