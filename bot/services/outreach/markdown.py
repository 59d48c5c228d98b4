"""The little Markdown of the topic files as Telegram HTML: headings, bullets, **bold** and
[links](https://…); everything else is text. Each line becomes one line of well-nested HTML, also
where bold and a link overlap (`**[a**](https://x.de)` is a bold link)."""

from __future__ import annotations

import re
from html import escape

# A link's text ends at the first "]"; its address is http(s) without spaces, quotes or brackets.
_INLINE = re.compile(r"\[(?P<label>[^\]\n]+)\]\((?P<url>https?://[^\s()\"<>]+)\)|\*\*")
_BOLD = re.compile(r"\*\*")


class MarkdownError(ValueError):
    """A line whose meaning is not clear, by its number (1 for the text's first line)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line, self.message = line, message


def markdown_to_html(text: str, *, strict: bool = False) -> str:
    """`text` as Telegram HTML. `strict` refuses a bold mark that is not closed on its line
    (MarkdownError); otherwise the bold ends with the line."""
    lines = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line, bold, template = raw.rstrip(), True, "{}"
        if line.startswith("#"):  # a heading is bold as a whole
            line, bold, template = line.lstrip("#").strip(), False, "<b>{}</b>"
        elif line.startswith(("- ", "* ")):
            line, template = line[2:], "• {}"
        html = _inline(line, bold=bold)
        if html is None:
            if strict:
                raise MarkdownError(number, "a bold mark ** is not closed on this line")
            html = _inline(line, bold=bold, close=True) or ""
        lines.append(template.format(html) if html or bold else "")  # no empty <b></b>
    return "\n".join(lines)


class _Formatting:
    """Text with tags that open only once text follows and close in the right order: closing a
    tag that is not the innermost closes the inner ones first and opens them again after it."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.open: list[tuple[str, str, bool]] = []  # (name, opening tag, written yet)

    def text(self, text: str) -> None:
        if not text:
            return
        for index, (name, opening, written) in enumerate(self.open):
            if not written:
                self.out.append(opening)
                self.open[index] = (name, opening, True)
        self.out.append(escape(text, quote=False))

    def start(self, name: str, opening: str) -> None:
        self.open.append((name, opening, False))

    def end(self, name: str) -> None:
        inner = []
        while self.open:
            tag = self.open.pop()
            if tag[2]:
                self.out.append(f"</{tag[0]}>")
            if tag[0] == name:
                break
            inner.append(tag)
        self.open.extend((tag_name, opening, False) for tag_name, opening, _ in reversed(inner))

    def is_open(self, name: str) -> bool:
        return any(tag[0] == name for tag in self.open)


def _inline(line: str, *, bold: bool = True, close: bool = False) -> str | None:
    """One line's bold and links, or None when a bold mark is not closed (unless `close`)."""
    html = _Formatting()
    bold_open = False

    def toggle() -> None:
        nonlocal bold_open
        bold_open = not bold_open
        if bold and html.is_open("b"):
            html.end("b")
        elif bold:
            html.start("b", "<b>")

    position = 0
    for match in _INLINE.finditer(line):
        html.text(line[position : match.start()])
        position = match.end()
        if match.group("url") is None:
            toggle()
            continue
        label = match.group("label")
        html.start("a", f'<a href="{escape(match.group("url"))}">')
        inner = 0
        for mark in _BOLD.finditer(label):
            html.text(label[inner : mark.start()])
            inner = mark.end()
            toggle()
        html.text(label[inner:])
        html.end("a")
    html.text(line[position:])
    if bold_open and not close:
        return None
    while html.open:
        html.end(html.open[-1][0])
    return "".join(html.out)
