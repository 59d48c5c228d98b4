"""`python -m bot console`: a chat in the terminal, choices as numbered lines, resumable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def console(database: Path, typed: str) -> str:
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{database}", "DEFAULT_LOCALE": "en"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input=typed,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=True,
    )
    return result.stdout


def test_start_offers_the_six_languages_as_numbered_choices(tmp_path: Path) -> None:
    output = console(tmp_path / "c.sqlite3", "/start\n")
    for number, language in enumerate(
        ["Deutsch", "English", "العربية", "فارسی", "Українська", "Русский"], start=1
    ):
        assert f"  {number}) {language}\n" in output


def test_numbers_and_labels_pick_choices_and_the_next_start_resumes(tmp_path: Path) -> None:
    database = tmp_path / "c.sqlite3"
    output = console(database, "/start\nEnglish\n2\n")
    assert "How are you here?" in output
    assert "Where do you live?" in output  # a newcomer: where they live, nothing more

    resumed = console(database, "3\n1\n")
    assert resumed.count("Where do you live?") == 1  # asked again
    assert "Do you agree?" in resumed
    assert "What would you like to do?" in resumed
    assert "<b>" not in resumed
