"""What a receipt may be: an image (JPEG, PNG, HEIC, WebP) or a PDF, told by the file's first
bytes rather than by the name or type the sender's device gave it; and the check of a file a
person sends as one."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from conversations.flow import Context, Invalid
from conversations.grants.ports import GrantRuleError
from conversations.grants.summary import refusal
from conversations.messages import Attachment
from conversations.ports import FileUnavailable

# What a bot may download from Telegram; the largest receipt taken from any channel.
MAX_RECEIPT_BYTES = 20 * 1024 * 1024
MAX_RECEIPT_MB = MAX_RECEIPT_BYTES // (1024 * 1024)


@dataclass(frozen=True)
class ReceiptType:
    """One kind of file a receipt may be, and the names and types that claim to be it."""

    key: str
    mime_type: str  # what the receipt is stored as, whatever the sender declared
    extensions: frozenset[str]
    declared_types: frozenset[str]


JPEG = ReceiptType(
    "jpeg",
    "image/jpeg",
    frozenset({"jpg", "jpeg", "jpe", "jfif"}),
    frozenset({"image/jpeg", "image/jpg", "image/pjpeg"}),
)
PNG = ReceiptType("png", "image/png", frozenset({"png"}), frozenset({"image/png"}))
HEIC = ReceiptType(
    "heic",
    "image/heic",
    frozenset({"heic", "heif", "hif"}),
    frozenset({"image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence"}),
)
WEBP = ReceiptType("webp", "image/webp", frozenset({"webp"}), frozenset({"image/webp"}))
PDF = ReceiptType(
    "pdf",
    "application/pdf",
    frozenset({"pdf"}),
    frozenset({"application/pdf", "application/x-pdf"}),
)
RECEIPT_TYPES = (JPEG, PNG, HEIC, WEBP, PDF)
STORED_TYPES = frozenset(kind.mime_type for kind in RECEIPT_TYPES)

# The brands of an ISO media file ("ftyp" box) that make it a HEIC or HEIF image. A generic
# "mif1"/"msf1" file is one unless it says it is AVIF, which is not taken.
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"heim", b"heis", b"hevm", b"hevs"})
_GENERIC_BRANDS = frozenset({b"mif1", b"msf1"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
# Enough of a file's beginning for every check above.
HEAD_BYTES = 64


class Refusal(StrEnum):
    NOT_A_RECEIPT = "not_a_receipt"  # no image or PDF, and nothing claimed it was
    NOT_WHAT_IT_SAYS = "not_what_it_says"  # its name or type claims another kind than it is


class NotAReceipt(ValueError):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


def sniffed(head: bytes) -> ReceiptType | None:
    """The kind of receipt a file whose content begins with `head` is, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"%PDF-"):
        return PDF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if _is_heif(head):
        return HEIC
    return None


def _is_heif(head: bytes) -> bool:
    if head[4:8] != b"ftyp" or len(head) < 12:
        return False
    major = head[8:12]
    if major in _HEIF_BRANDS:
        return True
    if major not in _GENERIC_BRANDS:
        return False
    size = int.from_bytes(head[:4], "big")
    compatible = {head[i : i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
    return not compatible & _AVIF_BRANDS


def claimed(name: str | None, mime_type: str | None) -> set[ReceiptType]:
    """The receipt kinds a file's name and declared type say it is (none when they say nothing
    about images or PDF)."""
    extension = (name or "").rpartition(".")[2].lower() if "." in (name or "") else ""
    declared = (mime_type or "").split(";")[0].strip().lower()
    return {
        kind
        for kind in RECEIPT_TYPES
        if extension in kind.extensions or declared in kind.declared_types
    }


def receipt_type(content: bytes, *, name: str | None, mime_type: str | None) -> ReceiptType:
    """What `content` is as a receipt; NotAReceipt when it is no image or PDF, or when its name
    or declared type claims a kind its content is not."""
    kind = sniffed(content[:HEAD_BYTES])
    claims = claimed(name, mime_type)
    if kind is not None and (not claims or kind in claims):
        return kind
    raise NotAReceipt(Refusal.NOT_WHAT_IT_SAYS if claims else Refusal.NOT_A_RECEIPT)


async def checked_receipt(ctx: Context, attachment: Attachment) -> Attachment:
    """The file a person sent as a receipt once its content shows that it is one, with its true
    type and size; Invalid with the reason otherwise. Nothing is kept of a file not checked."""
    _ = ctx.t.gettext
    too_big = refusal(ctx.t, GrantRuleError("file_too_big", limit=MAX_RECEIPT_MB))
    if attachment.size is not None and attachment.size > MAX_RECEIPT_BYTES:
        raise Invalid(too_big)
    try:
        content = await ctx.ports.files.fetch(ctx.inbound.channel, attachment)
    except FileUnavailable:
        raise Invalid(
            _("Sorry, I could not check this file just now. Please send it again in a moment.")
        ) from None
    if len(content) > MAX_RECEIPT_BYTES:
        raise Invalid(too_big)
    try:
        kind = receipt_type(content, name=attachment.name, mime_type=attachment.mime_type)
    except NotAReceipt as error:
        accepted = _("Receipts may be images (JPEG, PNG, HEIC or WebP) or PDF files.")
        if error.reason is Refusal.NOT_WHAT_IT_SAYS:
            raise Invalid(
                _("Sorry, this file is not what its name says, so I cannot take it.")
                + " "
                + accepted
            ) from None
        raise Invalid(_("Sorry, I cannot take this kind of file.") + " " + accepted) from None
    return replace(attachment, mime_type=kind.mime_type, size=len(content))
