"""Files made when they are sent: files made in one pass are made once, the second waits in the
carrier for its own row, and one whose row comes too late is made again."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.session import Database
from bot.delivery import carrier
from bot.delivery.carrier import KEPT_SECONDS, Carrier
from bot.i18n import Catalogs
from conversations.messages import MadeDocument, Reply
from conversations.ports import Translator


def made(maker: str, locale: str = "de") -> Reply:
    return Reply(text="", made=MadeDocument(f"file.{maker}", "text/plain", maker, locale))


async def test_files_of_one_pass_are_made_once_and_the_late_one_again(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(carrier.time, "monotonic", lambda: now[0])
    passes: list[str] = []

    async def both(session: AsyncSession, t: Translator) -> Mapping[str, bytes]:
        passes.append(t.locale)
        return {"xlsx": f"workbook {len(passes)}".encode(), "csv": f"table {len(passes)}".encode()}

    files = Carrier(database, {}, Catalogs())
    files.makers.update({"xlsx": both, "csv": both})

    first = await files.carried("telegram", made("xlsx"))
    second = await files.carried("telegram", made("csv"))
    assert first.document is not None and first.document.content == b"workbook 1"
    assert second.document is not None and second.document.content == b"table 1"
    assert passes == ["de"]

    await files.carried("telegram", made("xlsx"))  # its table waits, in German only
    arabic = await files.carried("telegram", made("csv", "ar"))
    now[0] += KEPT_SECONDS + 1
    late = await files.carried("telegram", made("csv"))
    assert arabic.document is not None and arabic.document.content == b"table 3"
    assert late.document is not None and late.document.content == b"table 4"
    assert passes == ["de", "de", "ar", "de"]
