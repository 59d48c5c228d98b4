"""Telling a receipt's kind by its first bytes, and a name or type that claims another kind."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.grants.receipt_files import (
    HEIC,
    JPEG,
    PDF,
    PNG,
    WEBP,
    NotAReceipt,
    ReceiptType,
    Refusal,
    receipt_type,
    sniffed,
)
from tests import files

MAGIC = (b"\xff\xd8\xff", b"\x89PNG", b"%PDF-", b"RIFF")


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (files.JPEG, JPEG),
        (files.PNG, PNG),
        (files.HEIC, HEIC),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic", HEIC),  # a generic HEIF image
        (b"\x00\x00\x00\x14ftypheix\x00\x00\x00\x00", HEIC),
        (files.WEBP, WEBP),
        (files.PDF, PDF),
        (files.AVIF, None),
        (b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1avif", None),  # AVIF under a generic brand
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isomiso2", None),  # an MP4 video
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),  # a sound
        (b"\xff\xd8", None),  # cut short
        (files.EXE, None),
        (files.ZIP, None),
        (b"", None),
        (b" %PDF-1.4", None),
    ],
)
def test_the_kind_is_told_by_the_first_bytes(content: bytes, kind: ReceiptType | None) -> None:
    assert sniffed(content) is kind


@given(st.binary(max_size=200).filter(lambda b: not b.startswith(MAGIC) and b[4:8] != b"ftyp"))
def test_other_bytes_are_no_receipt(content: bytes) -> None:
    assert sniffed(content) is None
    with pytest.raises(NotAReceipt):
        receipt_type(content, name=None, mime_type=None)


@pytest.mark.parametrize(
    ("name", "mime_type", "content", "outcome"),
    [
        ("a.pdf", "application/pdf", files.PDF, PDF),
        ("A.PDF", None, files.PDF, PDF),
        (None, "image/jpeg", files.JPEG, JPEG),  # a Telegram photo has no name
        ("a.jpg", "image/png", files.PNG, PNG),  # one of the two claims is right
        ("a", "application/octet-stream", files.WEBP, WEBP),
        ("a.exe", "application/x-msdownload", files.PDF, PDF),  # content is the truth
        ("a.pdf", "application/pdf", files.EXE, Refusal.NOT_WHAT_IT_SAYS),
        ("a.png", None, files.JPEG, Refusal.NOT_WHAT_IT_SAYS),
        (None, "image/heic; charset=binary", files.PDF, Refusal.NOT_WHAT_IT_SAYS),
        ("a.exe", "application/x-msdownload", files.EXE, Refusal.NOT_A_RECEIPT),
        (None, None, files.ZIP, Refusal.NOT_A_RECEIPT),
    ],
)
def test_a_claim_the_content_contradicts_is_refused(
    name: str | None,
    mime_type: str | None,
    content: bytes,
    outcome: ReceiptType | Refusal,
) -> None:
    if isinstance(outcome, Refusal):
        with pytest.raises(NotAReceipt) as refused:
            receipt_type(content, name=name, mime_type=mime_type)
        assert refused.value.reason is outcome
    else:
        assert receipt_type(content, name=name, mime_type=mime_type) is outcome
