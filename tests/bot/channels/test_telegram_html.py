"""The check of Telegram's HTML: what it accepts and refuses, and that it agrees with the fake
Bot API's independent parser (tests/e2e/telegram_fake.py) on any text and any tag soup."""

from __future__ import annotations

from html import escape

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.channels.telegram_html import TelegramHtmlError, check
from tests.e2e.telegram_fake import EntityError, parse_html


def fake_accepts(text: str) -> bool:
    try:
        parse_html(text)
    except EntityError:
        return False
    return True


def accepts(text: str) -> bool:
    try:
        check(text)
    except TelegramHtmlError:
        return False
    return True


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain text > more",
        "<b>bold</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <ins>n</ins>",
        "<s>s</s> <strike>s</strike> <del>d</del> <tg-spoiler>x</tg-spoiler>",
        '<span class="tg-spoiler">hidden</span>',
        '<a href="https://x.de/?a=1&amp;b=2">a <b>bold</b> link</a>',
        '<b><a href="https://x.de">bold link</a></b>',
        "<code>x &lt; y</code> <pre>block</pre>",
        '<pre><code class="language-python">print(1)</code></pre>',
        "<blockquote>quote</blockquote> <blockquote expandable>long</blockquote>",
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "&lt; &gt; &amp; &quot; &#33; &#x41; &#x1F600;",
        "<B>upper case tags</B>",
        "<b>over\nlines</b>",
    ],
)
def test_what_telegram_accepts_passes(text: str) -> None:
    check(text)
    assert fake_accepts(text)


@pytest.mark.parametrize(
    ("text", "problem", "position"),
    [
        ('<b><a href="https://x.de">a</b></a>', "</b> where <a> must be closed first", 27),
        ("fish & chips", "a bare '&' or an unknown entity (write &amp; for '&')", 5),
        ("&nbsp;", "a bare '&' or an unknown entity (write &amp; for '&')", 0),
        ("1 < 2", "a bare '<' (write &lt; for '<')", 2),
        ("<b/>", "a bare '<' (write &lt; for '<')", 0),
        ("<!-- note -->", "a bare '<' (write &lt; for '<')", 0),
        ("<b>open", "<b> is not closed", 0),
        ("x</i>", "</i> closes nothing", 1),
        ("<p>paragraph</p>", "<p> is not a tag Telegram knows", 0),
        ("<br />", "<br /> is not a tag Telegram knows", 0),
        ("<a>no address</a>", "<a> needs an href", 0),
        ('<a href="">empty</a>', "<a> needs an href", 0),
        ('<b class="x">b</b>', "<b> has no attribute 'class'", 0),
        ('<a href="https://x.de" onclick="y">a</a>', "<a> has no attribute 'onclick'", 0),
        ("<span>s</span>", '<span> must be class="tg-spoiler"', 0),
        ("<tg-emoji>e</tg-emoji>", "<tg-emoji> needs a numeric emoji-id", 0),
        ('<code class="x">c</code>', '<code> may only have class="language-…"', 0),
        ("line\n<code><b>x</b></code>", "<b> inside <code>", 11),
        ('<a href="https://a.de"><a href="https://b.de">x</a></a>', "<a> inside another <a>", 23),
        ("<blockquote><blockquote>x</blockquote></blockquote>", "<blockquote> inside", 12),
    ],
)
def test_what_telegram_refuses_is_named_with_its_place(
    text: str, problem: str, position: int
) -> None:
    with pytest.raises(TelegramHtmlError) as raised:
        check(text)
    assert raised.value.message.startswith(problem)
    assert raised.value.position == position
    assert str(raised.value).endswith(f"(at character {position + 1})")


@given(st.text())
@example("<b>&amp;</b>\x00 & < > \" '")
def test_any_escaped_text_passes_both(text: str) -> None:
    escaped = escape(text)
    check(escaped)
    assert fake_accepts(escaped)


SOUP = st.sampled_from(
    [
        "<b>",
        "</b>",
        "<i>",
        "</i>",
        "<strong>",
        "</strong>",
        "<u>",
        "</u>",
        "<tg-spoiler>",
        "</tg-spoiler>",
        '<span class="tg-spoiler">',
        "<span>",
        "</span>",
        '<a href="https://x.de">',
        "<a>",
        "</a>",
        "<p>",
        "</p>",
        "<div>",
        "&amp;",
        "&lt;",
        "&gt;",
        "&quot;",
        "&#33;",
        "&#x41;",
        "&nbsp;",
        "&",
        "<",
        ">",
        "<b",
        "< b>",
        "word",
        " ",
        "\n",
        "ü😀",
    ]
)


@given(st.lists(SOUP, max_size=12).map("".join))
def test_tag_soup_passes_both_or_fails_both(text: str) -> None:
    """The production check and the fake agree, but where the check is stricter on purpose
    (a link inside a link, which the fake lets through)."""
    try:
        check(text)
    except TelegramHtmlError as error:
        if fake_accepts(text):
            assert error.message == "<a> inside another <a>", text
    else:
        assert fake_accepts(text), text
