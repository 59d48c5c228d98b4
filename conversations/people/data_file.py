"""The /mydata file: everything stored about a person as JSON, for taking it elsewhere (the
right to data portability). Keys and values are stable (English keys, identifiers, ISO 8601
dates, amounts in cents with their currency, locale codes); `labels` says what each key means,
in the person's language."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from conversations.markers import N_
from conversations.messages import Document
from conversations.people.ports import PersonalData, QuestionData
from conversations.ports import Translator

FORMAT = "gemeinsam-personal-data/1"
CURRENCY = "EUR"

LABELS = {
    "exported_at": N_("When this file was made"),
    "person": N_("You"),
    "addresses": N_("Chat addresses"),
    "display_name": N_("Name"),
    "locale": N_("Language"),
    "role": N_("Role"),
    "region": N_("Region"),
    "groups": N_("Groups whose meetings you are invited to"),
    "announcements_muted": N_("Announcements turned off"),
    "is_staff": N_("Staff of the district office"),
    "first_contact_at": N_("First contact"),
    "privacy_notice_accepted_at": N_("Privacy notice accepted"),
    "open_conversation": N_("Unfinished conversation"),
    "messages_waiting": N_("Messages waiting to be sent to you"),
    "applications": N_("Applications for funding"),
    "reference": N_("Reference"),
    "status": N_("Status"),
    "title": N_("Title"),
    "applicant_name": N_("Applicant"),
    "organisation": N_("Initiative or organisation"),
    "contact": N_("Contact"),
    "description": N_("What will happen and for whom"),
    "planned_costs": N_("Planned costs"),
    "approved_amount": N_("Approved amount"),
    "starts_on": N_("Start"),
    "ends_on": N_("End"),
    "created_at": N_("Started"),
    "submitted_at": N_("Submitted"),
    "decided_at": N_("Decided"),
    "kept_as_funding_record": N_("Kept as a funding record when you delete your data"),
    "report": N_("Report"),
    "summary": N_("What happened"),
    "receipts": N_("Receipts"),
    "meeting_answers": N_("Answers to meeting invitations"),
    "meeting": N_("Meeting"),
    "starts_at": N_("Begins"),
    "answer": N_("Answer"),
    "guests": N_("Guests"),
    "answered_at": N_("Answered"),
    "survey_answers": N_("Answers to surveys"),
    "question": N_("Question"),
    "questions": N_("Questions to the district office"),
    "language": N_("Language of the question"),
    "taken_by_staff": N_("Taken by a staff member"),
    "first_answer_at": N_("First answered"),
    "closed_at": N_("Solved or closed"),
    "messages": N_("Messages"),
    "from": N_("From"),
    "text": N_("Text"),
    "file": N_("File (kept by the messenger, Gemeinsam keeps only its reference)"),
    "sent_at": N_("Sent"),
    "cents": N_("Amount in cents"),
    "currency": N_("Currency"),
}


def _when(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _money(cents: int | None) -> dict[str, Any] | None:
    return {"cents": cents, "currency": CURRENCY} if cents is not None else None


def _question(question: QuestionData) -> dict[str, Any]:
    return {
        "reference": question.reference,
        "status": question.status,
        "region": question.region_name,
        "language": question.locale,
        "created_at": _when(question.created_at),
        "taken_by_staff": question.taken,
        "first_answer_at": _when(question.first_answer_at),
        "closed_at": _when(question.closed_at),
        "messages": [
            {
                "from": "staff" if message.from_staff else "you",
                "text": message.text,
                "file": {"kind": message.file_kind, "name": message.file_name}
                if message.file_kind
                else None,
                "sent_at": _when(message.created_at),
            }
            for message in question.messages
        ],
    }


def personal_data_file(t: Translator, data: PersonalData, *, now: datetime) -> Document:
    content: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": _when(now),
        "locale": t.locale,
        "labels": {key: t.gettext(label) for key, label in LABELS.items()},
        "person": {
            "addresses": list(data.addresses),
            "display_name": data.display_name,
            "locale": data.locale,
            "role": data.role.value if data.role else None,
            "region": data.region_name,
            "groups": list(data.group_regions),
            "announcements_muted": data.muted,
            "is_staff": data.is_staff,
            "first_contact_at": _when(data.created_at),
            "privacy_notice_accepted_at": _when(data.consented_at),
            "privacy_notice_version": data.privacy_version,
            "open_conversation": data.open_conversation,
            "messages_waiting": data.messages_queued,
        },
        "applications": [
            {
                "reference": a.reference,
                "status": a.status,
                "title": a.title,
                "applicant_name": a.applicant_name,
                "organisation": a.organisation,
                "contact": a.contact,
                "region": a.region_name,
                "description": a.description,
                "planned_costs": _money(a.total_cents),
                "approved_amount": _money(a.approved_cents),
                "starts_on": _when(a.starts_on),
                "ends_on": _when(a.ends_on),
                "created_at": _when(a.created_at),
                "submitted_at": _when(a.submitted_at),
                "decided_at": _when(a.decided_at),
                "kept_as_funding_record": a.is_funding_record,
                "report": {
                    "status": a.report_status,
                    "summary": a.report_summary,
                    "receipts": a.receipts,
                }
                if a.report_status is not None
                else None,
            }
            for a in data.applications
        ],
        "meeting_answers": [
            {
                "meeting": m.meeting_title,
                "starts_at": _when(m.starts_at),
                "answer": m.answer,
                "guests": m.guests,
                "answered_at": _when(m.updated_at),
            }
            for m in data.meeting_answers
        ],
        "survey_answers": [
            {"question": s.question, "answer": s.answer, "answered_at": _when(s.answered_at)}
            for s in data.survey_answers
        ],
        "questions": [_question(q) for q in data.questions],
    }
    text = json.dumps(content, ensure_ascii=False, indent=2)
    return Document(
        name=f"gemeinsam-my-data-{t.local_date(now).isoformat()}.json",
        mime_type="application/json",
        content=text.encode(),
    )
