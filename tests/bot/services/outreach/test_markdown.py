"""The topic files' Markdown as Telegram HTML: bold and links well nested where they overlap, a
bold mark left open refused with its line, and whatever is written renders to HTML that both
the production check and the fake Bot API accept."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.channels.telegram_html import check
from bot.services.outreach.markdown import MarkdownError, markdown_to_html
from tests.e2e.telegram_fake import parse_html

LINK = '<a href="https://x.de">'


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("**[a**](https://x.de)", f"<b>{LINK}a</a></b>"),
        ("[**a](https://x.de)**", f"{LINK}<b>a</b></a>"),
        ("**[a](https://x.de)**", f"<b>{LINK}a</a></b>"),
        ("[**a**](https://x.de)", f"{LINK}<b>a</b></a>"),
        ("**see [the page**](https://x.de) now", f"<b>see {LINK}the page</a></b> now"),
        ("[a **b](https://x.de) c**", f"{LINK}a <b>b</b></a><b> c</b>"),
        ("## Emergencies **now**", "<b>Emergencies now</b>"),
        ("- **112**: fire & <ambulance>", "• <b>112</b>: fire &amp; &lt;ambulance&gt;"),
        ("* item", "• item"),
        ('[x](https://a.de/?q=1&r="2")', '[x](https://a.de/?q=1&amp;r="2")'),
        ("[x](https://a.de/?q=1&r=2)", '<a href="https://a.de/?q=1&amp;r=2">x</a>'),
        ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),
        ("****", ""),
        ("a *single* star", "a *single* star"),
    ],
)
def test_bold_and_links_render_well_nested(markdown: str, html: str) -> None:
    rendered = markdown_to_html(markdown, strict=True)
    assert rendered == html
    check(rendered)
    parse_html(rendered)


def test_a_bold_mark_left_open_is_refused_with_its_line() -> None:
    text = "## Health\n\n- **112** and **110\n- more"
    with pytest.raises(MarkdownError) as raised:
        markdown_to_html(text, strict=True)
    assert (raised.value.line, raised.value.message) == (
        3,
        "a bold mark ** is not closed on this line",
    )
    # What was stored before the check is still shown: the bold ends with the line.
    assert markdown_to_html(text).split("\n")[2] == "• <b>112</b> and <b>110</b>"


MARKDOWN = st.lists(
    st.one_of(
        st.sampled_from(
            ["**", "*", "[", "]", "(", ")", "](https://x.de)", "https://x.de", "# ", "- ", "\n"]
        ),
        st.sampled_from(["&", "<", ">", '"', "&amp;", "<b>", "</a>", "word", " "]),
        st.text(max_size=5),
    ),
    max_size=25,
).map("".join)


@given(MARKDOWN)
@example("**[a**](https://x.de)")
@example("[a](https://x.de) **[b**](https://x.de)**")
def test_any_text_renders_to_html_that_telegram_accepts(text: str) -> None:
    rendered = markdown_to_html(text)
    check(rendered)
    parse_html(rendered)
    try:
        assert markdown_to_html(text, strict=True) == rendered
    except MarkdownError as error:
        assert 1 <= error.line <= text.count("\n") + 1
