"""`conversations/` is pure: it imports no transport, no database and nothing of `bot`."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {"bot", "telegram", "sqlalchemy", "aiosqlite", "asyncpg", "apscheduler", "httpx"}
CONVERSATIONS = Path(__file__).resolve().parent.parent / "conversations"


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_conversations_import_no_transport_and_no_database() -> None:
    offenders = {
        path.name: sorted(imported_roots(path) & FORBIDDEN)
        for path in CONVERSATIONS.rglob("*.py")
        if imported_roots(path) & FORBIDDEN
    }
    assert offenders == {}
