"""Receipts are images or PDF files, told by their content: a program is refused whatever its
name, a file that cannot be checked is not kept, and names are cleaned before anyone sees them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from bot.db.models import ReportFile
from conversations.messages import Attachment, InboundKind
from tests import files
from tests.conversations.grants.test_report import approved, to_the_receipts
from tests.conversations.people.test_onboarding import gettext

LIMIT = 20 * 1024 * 1024
ACCEPTED = "Receipts may be images (JPEG, PNG, HEIC or WebP) or PDF files."
WRONG_KIND = "Sorry, I cannot take this kind of file."
NOT_WHAT_IT_SAYS = "Sorry, this file is not what its name says, so I cannot take it."


async def stored(app: App) -> list[tuple[str | None, str | None, int | None]]:
    async with app.database.transaction() as session:
        rows = await session.execute(
            select(ReportFile.name, ReportFile.mime_type, ReportFile.size).order_by(ReportFile.id)
        )
        return [tuple(row) for row in rows.all()]  # type: ignore[misc]


def refused(app: App, locale: str, reason: str) -> str:
    _ = gettext(app, locale)
    return _(reason) + " " + _(ACCEPTED)


@pytest.mark.parametrize(
    ("name", "declared", "content", "kept_as"),
    [
        ("kassenbon.jpg", "image/jpeg", files.JPEG, "image/jpeg"),
        ("screenshot.png", "image/png", files.PNG, "image/png"),
        ("IMG_0042.HEIC", "image/heic", files.HEIC, "image/heic"),
        ("foto.heif", "image/heif", files.HEIC, "image/heic"),
        ("quittung.webp", "image/webp", files.WEBP, "image/webp"),
        ("rechnung.pdf", "application/pdf", files.PDF, "application/pdf"),
        # a device that says nothing useful: the content decides
        ("scan", "application/octet-stream", files.PNG, "image/png"),
    ],
)
async def test_images_and_pdf_files_are_taken_as_what_their_content_is(
    app: App, name: str, declared: str, content: bytes, kept_as: str
) -> None:
    applicant, _staff = await approved(app, "en")
    await to_the_receipts(applicant)
    await applicant.send_file(name, len(content), mime_type=declared, content=content)
    assert applicant.replies[0].text == "1 receipt received."
    assert await stored(app) == [(name, kept_as, len(content))]


@pytest.mark.parametrize("locale", ["de", "ar"])
async def test_a_program_or_an_archive_is_refused_in_the_persons_language(
    app: App, locale: str
) -> None:
    applicant, _staff = await approved(app, locale)
    _ = gettext(app, locale)
    await to_the_receipts(applicant)
    await applicant.send_file(
        "setup.exe", len(files.EXE), mime_type="application/x-msdownload", content=files.EXE
    )
    assert applicant.replies[0].text == refused(app, locale, WRONG_KIND)
    assert applicant.labels == [_("Finish without receipts"), _("Back")]  # the question stands
    await applicant.send_file("belege.zip", 90, mime_type="application/zip", content=files.ZIP)
    assert applicant.replies[0].text == refused(app, locale, WRONG_KIND)
    await applicant.send_file("leer.txt", 0, mime_type="text/plain", content=b"")
    assert applicant.replies[0].text == refused(app, locale, WRONG_KIND)
    assert await stored(app) == []


@pytest.mark.parametrize(
    ("name", "declared", "content"),
    [
        ("rechnung.pdf", "application/pdf", files.EXE),  # a program renamed
        ("rechnung.pdf", "application/octet-stream", files.EXE),
        ("beleg", "image/jpeg", files.EXE),  # sent as a photo, but a program
        ("rechnung.pdf", "application/pdf", files.JPEG),  # a photo called a PDF
        ("foto.heic", "image/heic", files.AVIF),  # an AVIF image, which is not taken
    ],
)
async def test_a_file_that_is_not_what_its_name_or_type_says_is_refused(
    app: App, name: str, declared: str, content: bytes
) -> None:
    applicant, _staff = await approved(app, "de")
    await to_the_receipts(applicant)
    await applicant.send_file(name, len(content), mime_type=declared, content=content)
    assert applicant.replies[0].text == refused(app, "de", NOT_WHAT_IT_SAYS)
    assert await stored(app) == []


async def test_the_size_limit_counts_the_bytes_not_only_the_declared_size(app: App) -> None:
    applicant, _staff = await approved(app, "de")
    de = gettext(app, "de")
    too_big = de("That file is too big. Files may be up to {limit} MB.").format(limit="20")
    await to_the_receipts(applicant)
    assert (
        de(
            "Please send photos or files of your receipts, one or several: images (JPEG, "
            "PNG, HEIC or WebP) or PDF files of up to {limit} MB each."
        ).format(limit="20")
        in applicant.text
    )
    big = files.PDF + bytes(LIMIT + 1 - len(files.PDF))
    await applicant.send_file("gross.pdf", 1_000, content=big)  # the device said 1 KB
    assert applicant.replies[0].text == too_big
    await applicant.send_file("unbekannt.pdf", None, content=big)  # type: ignore[arg-type]
    assert applicant.replies[0].text == too_big
    await applicant.send_file("genau.pdf", None, content=big[:LIMIT])  # type: ignore[arg-type]
    assert applicant.replies[0].text == "1 Beleg erhalten."
    assert await stored(app) == [("genau.pdf", "application/pdf", LIMIT)]


async def test_a_file_the_channel_cannot_hand_over_is_not_kept(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    applicant, _staff = await approved(app, "en")
    en = gettext(app, "en")
    await to_the_receipts(applicant)

    async def unreachable(attachment: Attachment) -> bytes:
        raise ConnectionError("the messenger's file server did not answer")

    with monkeypatch.context() as patch:
        patch.setattr(applicant.channel, "fetch", unreachable)
        await applicant.send_file("rechnung.pdf", 120_000)
    assert applicant.replies[0].text == en(
        "Sorry, I could not check this file just now. Please send it again in a moment."
    )
    assert applicant.labels == [en("Finish without receipts"), en("Back")]
    assert await stored(app) == []
    await applicant.send_file("rechnung.pdf", 120_000)  # sent again, once it can be fetched
    assert applicant.replies[0].text == "1 receipt received."


async def test_a_long_file_name_is_cleaned_and_shortened_before_it_is_kept_and_shown(
    app: App,
) -> None:
    """404 characters did not fit the column on PostgreSQL (StringDataRightTruncation)."""
    applicant, staff = await approved(app, "en")
    en = gettext(app, "en")
    await to_the_receipts(applicant)
    name = "<i>Rechnung</i>\u202e\x00 & " + "Ä" * 367 + "\n/../quittung.pdf"
    assert len(name) == 404
    # as Telegram would send it: the name is the device's, the file's reference is Telegram's
    attachment = Attachment("BQACAgIAAxkBAAIBQ2Zx", name, "application/pdf", len(files.PDF))
    applicant.channel.files[attachment.file_ref] = files.PDF
    await applicant._inbound(InboundKind.DOCUMENT, attachment=attachment)
    assert applicant.replies[0].text == "1 receipt received."
    [(kept, mime_type, _size)] = await stored(app)
    assert kept is not None and len(kept) == 120 and kept.endswith("Ä.pdf")
    assert kept.startswith("<i>Rechnung<_i> & ÄÄÄ")  # no path, control or direction characters
    assert mime_type == "application/pdf"

    await applicant.press(en("All receipts are sent"))
    await applicant.press(en("Submit the report"))
    await staff.send("/review")
    await staff.press(en("Report {reference}").format(reference="MP-2026-0001"))
    await staff.press(en("Show the receipts"))
    [receipt] = [reply for reply in staff.replies if reply.forward is not None]
    assert receipt.text == en("Receipt {number}: {name}").format(
        number=1, name="&lt;i&gt;Rechnung&lt;_i&gt; &amp; " + kept[len("<i>Rechnung<_i> & ") :]
    )
    assert receipt.forward is not None and receipt.forward.name == kept


async def test_staff_are_sent_only_what_was_taken(app: App) -> None:
    applicant, staff = await approved(app, "en")
    en = gettext(app, "en")
    await to_the_receipts(applicant)
    await applicant.send_file("virus.pdf", 80, content=files.EXE)
    await applicant.send_file("beleg.jpg", 900, kind=InboundKind.PHOTO, mime_type="image/jpeg")
    await applicant.send_file("tool.exe", 80, mime_type="application/x-msdos-program")
    await applicant.press(en("All receipts are sent"))
    assert "1 receipt" in applicant.text
    await applicant.press(en("Submit the report"))
    await staff.send("/review")
    await staff.press(en("Report {reference}").format(reference="MP-2026-0001"))
    await staff.press(en("Show the receipts"))
    forwarded = [reply.forward for reply in staff.replies if reply.forward is not None]
    assert [(f.file_ref, f.name, f.mime_type) for f in forwarded] == [
        ("file-beleg.jpg", "beleg.jpg", "image/jpeg")
    ]
