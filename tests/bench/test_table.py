"""The bench's table: verdicts against each kind of target, and one readable row per figure."""

from __future__ import annotations

from bench.table import Figure, Target, missed, render


def test_each_kind_of_target_gives_its_verdict() -> None:
    figures = [
        Figure("turn CPU per reply (ms)", 6.0, 2.0, Target(3, of="ratio")),
        Figure("reply p50 (ms)", 12.0, 2.0, Target(10)),
        Figure("reply p95 busy (ms)", 350.0, 60.0, Target(300, of="above")),
        Figure("announcement (msg/s)", 26.0, 27.0, Target(0.97, of="ratio", at_least=True)),
        Figure("lost", 0, target=Target(0)),
        Figure("send → first (s)", 0.4),
    ]
    assert [figure.verdict for figure in figures] == ["ok", "MISSED", "ok", "MISSED", "ok", ""]
    assert missed(figures) == [figures[1], figures[3]]


def test_the_table_has_a_row_per_figure_with_ratio_and_target() -> None:
    table = render(
        [
            Figure("turn CPU per reply (ms)", 16.04, 2.1, Target(3, of="ratio")),
            Figure("announcement lost", 0, target=Target(0)),
        ]
    ).splitlines()
    assert len(table) == 4
    assert [cell.strip() for cell in table[0].strip("|").split("|")] == [
        "figure",
        "value",
        "floor or limit",
        "ratio",
        "target",
        "verdict",
    ]
    assert [cell.strip() for cell in table[2].strip("|").split("|")] == [
        "turn CPU per reply (ms)",
        "16.0",
        "2.10",
        "7.64",
        "≤ 3×",
        "MISSED",
    ]
    assert [cell.strip() for cell in table[3].strip("|").split("|")] == [
        "announcement lost",
        "0",
        "–",
        "–",
        "≤ 0",
        "ok",
    ]
    assert len({len(line) for line in table}) == 1  # columns line up
