"""The words of the micro-grant programme: stable keys with their translatable labels."""

from __future__ import annotations

from conversations.markers import N_

CATEGORIES: dict[str, str] = {
    "travel": N_("Travel for joint excursions"),
    "moderation": N_("Fees for moderators of trainings"),
    "rooms": N_("Room costs for joint events"),
    "materials": N_("Materials for German lessons"),
    "other": N_("Other costs"),
}

TOPICS: dict[str, str] = {
    "language": N_("Language help"),
    "school": N_("School system"),
    "documents": N_("Official documents"),
    "participation": N_("Taking part in social life"),
    "other": N_("Other topic"),
}

STATUSES: dict[str, str] = {
    "draft": N_("draft"),
    "submitted": N_("submitted, waiting for a decision"),
    "changes_requested": N_("changes requested"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
    "withdrawn": N_("withdrawn"),
}
