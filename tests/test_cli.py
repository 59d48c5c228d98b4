"""The command line: migrate, staff, funding rounds and the information topics."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.services.outreach.topic_files import CONTENT_DIR, load_directory
from conversations.languages import LANGUAGE_CODES


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("BOT_ADMINS", "telegram:1")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_staff_add_list_remove(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "staff", "add", "telegram:4711")[1] == "telegram:4711 is now staff.\n"
    code, out, _ = run(capsys, "staff", "list")
    assert code == 0 and out.splitlines() == ["telegram:4711\tstaff\t", "telegram:1\tadmin\t"]
    run(capsys, "staff", "remove", "telegram:4711")
    assert run(capsys, "staff", "list")[1].splitlines() == ["telegram:1\tadmin\t"]
    assert run(capsys, "staff", "add", "4711")[2].startswith("error: address: '4711'")


def test_rounds_are_created_listed_and_closed(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "migrate")[0] == 0
    code, out, _ = run(
        capsys,
        "round",
        "create",
        "--name",
        "Mikroprojekte 2027",
        "--pot",
        "12000",
        "--cap",
        "1000,50",
        "--opens",
        "2027-01-01",
        "--closes",
        "2027-12-31",
    )
    assert (code, out) == (0, "Round 2 created: Mikroprojekte 2027\n")
    assert run(capsys, "round", "close", "1") == (0, "Round 1 is closed.\n", "")
    listing = run(capsys, "round", "list")[1].splitlines()
    assert listing[0].startswith("1\tMikroprojekte ") and "\tclosed\t" in listing[0]
    assert listing[1] == (
        "2\tMikroprojekte 2027\topen\t2027-01-01..2027-12-31\t"
        "pot 12000.00 EUR\tcap 1000.50 EUR\tapproved 0.00 EUR\t"
        "left 12000.00 EUR"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--pot", "abc"], "error: round: --pot 'abc' is not an amount in EUR\n"),
        (
            ["--pot", "500"],
            "error: round: the pot and the cap must be positive, the cap not above the pot\n",
        ),
        (
            ["--closes", "31.12.2027"],
            "error: round: --closes '31.12.2027' is not a date like 2027-01-31\n",
        ),
    ],
)
def test_bad_round_values_are_one_clear_line(
    capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    values = {"--name": "X", "--pot": "10000", "--opens": "2027-01-01", "--closes": "2027-12-31"}
    for flag, value in zip(arguments[::2], arguments[1::2], strict=True):
        values[flag] = value
    argv = [item for pair in values.items() for item in pair]
    assert run(capsys, "round", "create", *argv)[1:] == ("", message)


def test_content_import_fills_a_fresh_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = load_directory()
    topics = {article.topic for article in shipped}
    code, out, _ = run(capsys, "content", "import")
    languages = len(LANGUAGE_CODES)
    assert (code, out) == (
        0,
        f"Imported {len(shipped)} texts: {len(topics)} topics in {languages} languages.\n",
    )
    with closing(sqlite3.connect(tmp_path / "cli.sqlite3")) as database:
        rows = set(database.execute("SELECT topic, locale FROM info_articles"))
    assert rows == {(topic, locale) for topic in topics for locale in LANGUAGE_CODES}


def test_a_bad_content_file_is_one_line_naming_the_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    broken = content / "health" / "fa.md"
    broken.write_text(
        broken.read_text(encoding="utf-8").replace("order: 4", "order: four"), encoding="utf-8"
    )
    code, out, err = run(capsys, "content", "import", "--dir", str(content))
    assert (code, out) == (2, "")
    assert err == f"error: content: {broken}:4: order 'four' is not a whole number\n"
    assert not (tmp_path / "cli.sqlite3").exists()
