"""Small files as people's devices send them: the first bytes of each kind a receipt may be, and
some that it may not."""

from __future__ import annotations

JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + bytes(64)
    + b"\xff\xd9"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
# An iPhone photo: an ISO media file of brand "heic", compatible with "mif1".
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(64)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
# A Windows program, an AVIF image (an ISO media file too, but not HEIC) and a ZIP archive.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(64)
AVIF = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + bytes(64)
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(64)

BY_TYPE = {
    "image/jpeg": JPEG,
    "image/png": PNG,
    "image/heic": HEIC,
    "image/webp": WEBP,
    "application/pdf": PDF,
}


def sample(mime_type: str) -> bytes:
    """A small file of this type, as the person's device would hold it (empty if unknown)."""
    return BY_TYPE.get(mime_type, b"")
