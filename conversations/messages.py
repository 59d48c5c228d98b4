"""Neutral messages between channels and flows: what a person sent, and what the bot answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

CALLBACK_DATA_MAX_BYTES = 64


class InboundKind(StrEnum):
    TEXT = "text"
    COMMAND = "command"
    CHOICE = "choice"
    STICKER = "sticker"
    PHOTO = "photo"
    VOICE = "voice"
    VIDEO = "video"
    LOCATION = "location"
    DOCUMENT = "document"
    CONTACT = "contact"
    OTHER = "other"
    RESUME = "resume"  # a channel (re)opened: show the current question again


@dataclass(frozen=True)
class Attachment:
    """A file as the channel knows it: a reference to fetch it later, never its bytes."""

    file_ref: str
    name: str | None = None
    mime_type: str | None = None
    size: int | None = None
    channel: str | None = None  # the channel that holds it, where that is not the one sending
    # What the person sent it as (photo, document, voice), so it goes on as the same kind.
    kind: str | None = None


@dataclass(frozen=True)
class Inbound:
    """One thing a person did: typed text or a command, pressed a button, sent a file."""

    channel: str
    external_id: str
    kind: InboundKind
    update_key: str | None = None
    text: str = ""
    command: str | None = None
    args: str = ""
    data: str | None = None
    attachment: Attachment | None = None
    language_code: str | None = None
    display_name: str | None = None
    # From a channel without buttons, where choices are numbered lines: a CHOICE was typed (its
    # number or label), and hints speak of numbers rather than buttons.
    numbered: bool = False
    # Another address of the same person on this channel (the Signal number beside the UUID),
    # to find someone staff added by that address before they wrote.
    alias: str | None = None

    def to_payload(self) -> dict[str, Any]:
        """As JSON for the inbox, where it waits for its turn."""
        payload = {
            name: value
            for name, value in asdict(self).items()
            if value not in (None, "") and name != "attachment"
        }
        payload["kind"] = self.kind.value
        if self.attachment is not None:
            payload["attachment"] = asdict(self.attachment)
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Inbound:
        fields = dict(payload)
        attachment = fields.pop("attachment", None)
        return cls(
            **{
                **fields,
                "kind": InboundKind(fields["kind"]),
                "attachment": Attachment(**attachment) if attachment else None,
            }
        )


@dataclass(frozen=True)
class Choice:
    """A button: a translated label and stable callback data (at most 64 bytes, as in Telegram)."""

    label: str
    data: str

    def __post_init__(self) -> None:
        size = len(self.data.encode("utf-8"))
        if not 0 < size <= CALLBACK_DATA_MAX_BYTES:
            raise ValueError(f"callback data must be 1..64 bytes, got {size}: {self.data!r}")


@dataclass(frozen=True)
class Document:
    """A file the bot sends: its bytes, a name and a type."""

    name: str
    mime_type: str
    content: bytes


@dataclass(frozen=True)
class MadeDocument:
    """A file made only when it is sent, from what the database holds then (an export of
    thousands of rows): the outbox keeps what makes it, not its bytes."""

    name: str
    mime_type: str
    maker: str  # a stable key of what makes it, e.g. `applications.xlsx`
    locale: str  # the reader's language


@dataclass(frozen=True)
class Reply:
    """One message to a person. `text` is HTML: any user or database text in it is escaped."""

    text: str
    choices: tuple[tuple[Choice, ...], ...] = ()
    document: Document | None = None
    made: MadeDocument | None = None  # the dispatcher makes it into `document` when sending
    silent: bool = False
    edit_of: str | None = None  # the channel's id of an earlier message to replace
    forward: Attachment | None = None  # a file the channel already holds, sent on by reference
    # A question's reply says what it waits for (CHOICE, TEXT or NUMBER); a notice has None.
    # Channels without buttons number the choices, except where a typed number is the answer.
    expects: str | None = None

    def all_choices(self) -> list[Choice]:
        return [choice for row in self.choices for choice in row]

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "text": self.text,
            "choices": [[[c.label, c.data] for c in row] for row in self.choices],
        }
        if self.silent:
            payload["silent"] = True
        if self.expects is not None:
            payload["expects"] = self.expects
        if self.edit_of is not None:
            payload["edit_of"] = self.edit_of
        if self.forward is not None:
            payload["forward"] = {
                "file_ref": self.forward.file_ref,
                "name": self.forward.name,
                "mime_type": self.forward.mime_type,
                "size": self.forward.size,
                "channel": self.forward.channel,
            }
            if self.forward.kind is not None:
                payload["forward"]["kind"] = self.forward.kind
        if self.document is not None:
            payload["document"] = {
                "name": self.document.name,
                "mime_type": self.document.mime_type,
                "content_hex": self.document.content.hex(),
            }
        if self.made is not None:
            payload["made"] = asdict(self.made)
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Reply:
        document = payload.get("document")
        return cls(
            text=payload["text"],
            choices=tuple(
                tuple(Choice(label, data) for label, data in row) for row in payload["choices"]
            ),
            document=(
                Document(
                    name=document["name"],
                    mime_type=document["mime_type"],
                    content=bytes.fromhex(document["content_hex"]),
                )
                if document
                else None
            ),
            made=MadeDocument(**payload["made"]) if payload.get("made") else None,
            silent=bool(payload.get("silent", False)),
            expects=payload.get("expects"),
            edit_of=payload.get("edit_of"),
            forward=Attachment(**payload["forward"]) if payload.get("forward") else None,
        )


class Expects(StrEnum):
    """What a question waits for, for channels that show choices as numbered lines."""

    CHOICE = "choice"  # one of the choices
    TEXT = "text"  # typed text, or one of the choices
    NUMBER = "number"  # a typed number (an amount, a count, a day): choices are typed by label


def rows(*choices: Choice, per_row: int = 1) -> tuple[tuple[Choice, ...], ...]:
    """Lay buttons out `per_row` to a row."""
    return tuple(tuple(choices[i : i + per_row]) for i in range(0, len(choices), per_row))
