"""What the database was asked, transaction by transaction: statements, outbox rows written and
bound parameters, seen through SQLAlchemy's events (sizes and counts, never times). And many
people at once, written straight into the tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.engine import Connection

from bot.db.models import ChannelIdentity, User
from bot.db.session import Database

OUTBOX_COLUMNS = 12  # values a row of `outbox` binds


@dataclass
class Transaction:
    statements: int = 0
    outbox_rows: int = 0


@dataclass
class Recorder:
    transactions: list[Transaction] = field(default_factory=list)
    most_parameters: int = 0
    _open: dict[int, Transaction] = field(default_factory=dict)

    @property
    def writing(self) -> list[Transaction]:
        return [t for t in self.transactions if t.outbox_rows]


def _parameters(parameters: Any) -> tuple[int, int | None]:
    """(parameters bound at once, rows when they are sent as many sets of parameters); a page
    of a multi-row INSERT comes as one flat set."""
    if parameters and isinstance(parameters[0], list | tuple | dict):
        return max(len(p) for p in parameters), len(parameters)
    return len(parameters or ()), None


@contextmanager
def recording(database: Database) -> Iterator[Recorder]:
    recorder = Recorder()
    engine = database.engine.sync_engine

    def begin(connection: Connection) -> None:
        recorder._open[id(connection)] = Transaction()

    def end(connection: Connection) -> None:
        transaction = recorder._open.pop(id(connection), None)
        if transaction is not None:
            recorder.transactions.append(transaction)

    def before(
        connection: Connection, _cursor: Any, statement: str, parameters: Any, *_: Any
    ) -> None:
        most, rows = _parameters(parameters)
        recorder.most_parameters = max(recorder.most_parameters, most)
        transaction = recorder._open.setdefault(id(connection), Transaction())
        transaction.statements += 1
        if statement.lstrip().upper().startswith("INSERT INTO OUTBOX "):
            transaction.outbox_rows += rows or max(most // OUTBOX_COLUMNS, 1)

    listeners = [("begin", begin), ("commit", end), ("rollback", end)]
    listeners.append(("before_cursor_execute", before))
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield recorder
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)


async def many_people(
    database: Database,
    count: int,
    *,
    now: datetime,
    channel: str = "memory",
    prefix: str = "m",
    locale: str = "en",
) -> list[str]:
    """`count` people who agreed a day ago, reached at `<prefix><n>`; returns their addresses."""
    since = now - timedelta(days=1)
    addresses = [f"{prefix}{n}" for n in range(count)]
    chunk = 1000
    async with database.transaction() as session:
        for start in range(0, count, chunk):
            ids = (
                await session.scalars(
                    insert(User)
                    .values(
                        [
                            {
                                "locale": locale,
                                "role": "newcomer",
                                "is_staff": False,
                                "consented_at": since,
                                "created_at": since,
                                "announcements_muted": False,
                            }
                            for _ in addresses[start : start + chunk]
                        ]
                    )
                    .returning(User.id)
                )
            ).all()
            await session.execute(
                insert(ChannelIdentity).values(
                    [
                        {
                            "user_id": user_id,
                            "channel": channel,
                            "external_id": address,
                            "created_at": since,
                        }
                        for user_id, address in zip(
                            sorted(ids), addresses[start : start + chunk], strict=True
                        )
                    ]
                )
            )
    return addresses
