"""The tables, one module per capability; all of them are imported here, so that
`Base.metadata` and the mappers know every table whichever one is used first."""

from bot.db.models.grants import (
    Application,
    CostItem,
    Decision,
    FundingRound,
    GrantReport,
    ReportFile,
)
from bot.db.models.leases import Lease
from bot.db.models.meetings import GroupMembership, Meeting, MeetingRegion, Rsvp
from bot.db.models.messaging import (
    Conversation,
    InboxMessage,
    OutboxMessage,
    ProcessedUpdate,
    ShownChoices,
)
from bot.db.models.outreach import (
    Broadcast,
    InfoArticle,
    LocalContacts,
    Survey,
    SurveyAnswer,
    SurveyRecipient,
)
from bot.db.models.people import AuditEntry, ChannelIdentity, LinkCode, Region, User
from bot.db.models.questions import Question, QuestionCopy, QuestionMessage

__all__ = [
    "Application",
    "AuditEntry",
    "Broadcast",
    "ChannelIdentity",
    "Conversation",
    "CostItem",
    "Decision",
    "FundingRound",
    "GrantReport",
    "GroupMembership",
    "InboxMessage",
    "InfoArticle",
    "Lease",
    "LinkCode",
    "LocalContacts",
    "Meeting",
    "MeetingRegion",
    "OutboxMessage",
    "ProcessedUpdate",
    "Question",
    "QuestionCopy",
    "QuestionMessage",
    "Region",
    "ReportFile",
    "Rsvp",
    "ShownChoices",
    "Survey",
    "SurveyAnswer",
    "SurveyRecipient",
    "User",
]
