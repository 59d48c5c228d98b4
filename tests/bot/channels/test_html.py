"""Long HTML texts are split below Telegram's limit without breaking tags or entities."""

from __future__ import annotations

import random
import re
from html import unescape

import pytest

from bot.channels.html import html_to_plain, split_html, visible_length


def plain(text: str) -> str:
    return unescape(re.sub(r"<[^>]*>", "", text))


def balanced(text: str) -> bool:
    stack: list[str] = []
    for closing, name in re.findall(r"<(/?)([a-z]+)[^>]*>", text):
        if closing:
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


def test_short_text_is_one_part() -> None:
    assert split_html("<b>Hallo</b> &amp; tschüss") == ["<b>Hallo</b> &amp; tschüss"]


def test_parts_end_at_line_ends() -> None:
    text = "\n".join(f"Zeile {i}: <i>etwas</i> &amp; mehr" for i in range(500))
    parts = split_html(text, 1000)
    assert len(parts) > 1
    for part in parts:
        assert visible_length(part) <= 1000
        assert part.startswith("Zeile") and part.endswith("mehr")


def test_a_tag_open_across_the_cut_is_closed_and_reopened() -> None:
    parts = split_html("<b>" + "wort " * 2000 + "</b>", 4000)
    assert len(parts) == 3
    assert all(p.startswith("<b>") and p.endswith("</b>") and balanced(p) for p in parts)


def test_astral_characters_count_twice() -> None:
    parts = split_html("😀" * 3000, 4000)
    assert [visible_length(p) for p in parts] == [4000, 2000]


@pytest.mark.parametrize("seed", range(30))
def test_random_texts_keep_their_content_and_stay_valid(seed: int) -> None:
    rng = random.Random(seed)
    pieces = ["wort ", "\n", "&amp;", "&lt;", "<b>fett</b> ", "<i>a\nb</i>", "😀", "x" * 50]
    text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 2500)))
    parts = split_html(text, 300)
    assert all(visible_length(p) <= 300 and balanced(p) for p in parts)
    squeeze = lambda s: re.sub(r"\s", "", s)  # noqa: E731
    assert squeeze("".join(plain(p) for p in parts)) == squeeze(plain(text))


def test_plain_rendering_for_terminals() -> None:
    assert html_to_plain('<b>Fett</b> &amp; <a href="https://x.de">Link</a>') == (
        "Fett & Link (https://x.de)"
    )
