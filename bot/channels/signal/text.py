"""A neutral reply's HTML as Signal shows text: plain text with style ranges (BOLD, ITALIC, …) in
UTF-16 code units, as signal-cli's `textStyle` takes them, split into messages Signal shows whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

# signal-cli sends at most 2,000 bytes (UTF-8) of a text as the message and the rest as a file,
# which Signal shows only behind "Read more": about 1,000 letters of Arabic or Russian.
MESSAGE_LIMIT = 2000

STYLES = {
    "b": "BOLD",
    "strong": "BOLD",
    "i": "ITALIC",
    "em": "ITALIC",
    "s": "STRIKETHROUGH",
    "strike": "STRIKETHROUGH",
    "del": "STRIKETHROUGH",
    "code": "MONOSPACE",
    "pre": "MONOSPACE",
    "tg-spoiler": "SPOILER",
}


@dataclass(frozen=True)
class Styled:
    """Plain text and its style ranges: (start, length, STYLE) in UTF-16 code units."""

    text: str
    styles: tuple[tuple[int, int, str], ...] = ()

    def text_styles(self) -> list[str]:
        """As signal-cli's `textStyle` parameter: `start:length:STYLE`."""
        return [f"{start}:{length}:{style}" for start, length, style in self.styles]


def units(text: str) -> int:
    """Length in UTF-16 code units, as Signal counts."""
    return len(text.encode("utf-16-le")) // 2


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.size = 0
        self.open: list[tuple[str, int]] = []  # (tag, start)
        self.styles: list[tuple[int, int, str]] = []
        self.link: str | None = None
        self.link_start = 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += units(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in STYLES:
            self.open.append((tag, self.size))
        elif tag == "a":
            self.link = dict(attrs).get("href")
            self.link_start = len(self.parts)
        elif tag == "br":
            self.add("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in STYLES:
            for index in range(len(self.open) - 1, -1, -1):
                name, start = self.open[index]
                if name == tag:
                    del self.open[index]
                    if self.size > start:
                        self.styles.append((start, self.size - start, STYLES[tag]))
                    break
        elif tag == "a" and self.link:
            shown = "".join(self.parts[self.link_start :]).strip()
            if self.link not in shown and not self.link.startswith("mailto:"):
                self.add(f" ({self.link})")
            self.link = None

    def handle_data(self, data: str) -> None:
        self.add(data)


def styled(html_text: str) -> Styled:
    """The text a person reads, with the neutral reply's bold, italics and so on as styles;
    links keep their address."""
    reader = _Reader()
    reader.feed(html_text)
    reader.close()
    text = "".join(reader.parts)
    if reader.size == 0 and html_text:  # not HTML after all
        text = unescape(html_text)
    return Styled(text, tuple(sorted(reader.styles)))


def join(first: Styled, second: str) -> Styled:
    """`first`, a blank line, then plain `second` (the choices under a question)."""
    if not second:
        return first
    if not first.text:
        return Styled(second)
    return Styled(f"{first.text}\n\n{second}", first.styles)


def size(text: str) -> int:
    """Length in UTF-8 bytes, as signal-cli measures a message."""
    return len(text.encode("utf-8"))


def split(message: Styled, limit: int = MESSAGE_LIMIT) -> list[Styled]:
    """Parts of at most `limit` UTF-8 bytes, cut at line ends where possible, else at spaces,
    each with the styles that fall into it."""
    if size(message.text) <= limit:
        return [message]
    parts: list[Styled] = []
    text, offset = message.text, 0  # offset: where `text` starts in the whole, in units
    while text:
        cut = _cut_at(text, limit)
        part, text = text[:cut], text[cut:]
        length = units(part)
        kept = part.rstrip("\n ")
        styles = []
        for start, span, style in message.styles:
            begin, end = max(start, offset), min(start + span, offset + units(kept))
            if end > begin:
                styles.append((begin - offset, end - begin, style))
        if kept.strip():
            parts.append(Styled(kept, tuple(styles)))
        offset += length
    return parts


def _cut_at(text: str, limit: int) -> int:
    """How many characters of `text` the next part takes."""
    used, end = 0, 0
    for index, char in enumerate(text):
        used += len(char.encode("utf-8"))
        if used > limit:
            break
        end = index + 1
    else:
        return len(text)
    line = text.rfind("\n", 0, end)
    if line > end // 2:
        return line + 1
    space = text.rfind(" ", 0, end)
    if space > end // 2:
        return space + 1
    return end
