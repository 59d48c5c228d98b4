"""Telegram's HTML as Telegram parses it: only its tags with their attributes, well nested and
closed, and only the entities it knows. `check` says where a text would be refused, before it is
stored or sent, so that nobody silently gets no message."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Each tag Telegram knows, with the attributes it reads (https://core.telegram.org/bots/api#html-style).
TAGS: dict[str, frozenset[str]] = {
    **{name: frozenset() for name in ("b", "strong", "i", "em", "u", "ins", "s", "strike", "del")},
    "span": frozenset({"class"}),
    "tg-spoiler": frozenset(),
    "a": frozenset({"href"}),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "blockquote": frozenset({"expandable"}),
    "tg-emoji": frozenset({"emoji-id"}),
}
# Code and preformatted text hold no other formatting; a quote holds no quote, a link no link.
_HOLDS_NOTHING = {"code", "pre"}
_NOT_IN_ITSELF = {"a", "blockquote"}
ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);")
TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?>")


class TelegramHtmlError(ValueError):
    """Why Telegram would refuse a text, and the character (0-based) where it went wrong."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.message, self.position = message, position


def check(text: str) -> None:
    """Nothing when Telegram accepts `text` as HTML, else TelegramHtmlError."""
    for match in re.finditer(r"[&<]", text):
        start = match.start()
        if text[start] == "&" and not ENTITY.match(text, start):
            raise TelegramHtmlError("a bare '&' or an unknown entity (write &amp; for '&')", start)
        if text[start] == "<" and not TAG.match(text, start):
            raise TelegramHtmlError("a bare '<' (write &lt; for '<')", start)
    parser = _Parser(text)
    parser.feed(text)
    parser.close()
    if parser.stack:
        name, position = parser.stack[-1]
        raise TelegramHtmlError(f"<{name}> is not closed", position)


class _Parser(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int]] = []
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def _position(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        position = self._position()
        if tag not in TAGS:
            raise TelegramHtmlError(f"<{tag}> is not a tag Telegram knows", position)
        values = dict(attrs)
        for name in values:
            if name not in TAGS[tag]:
                raise TelegramHtmlError(f"<{tag}> has no attribute {name!r}", position)
        if tag == "a" and not (values.get("href") or "").strip():
            raise TelegramHtmlError("<a> needs an href", position)
        if tag == "span" and values.get("class") != "tg-spoiler":
            raise TelegramHtmlError('<span> must be class="tg-spoiler"', position)
        if tag == "tg-emoji" and not (values.get("emoji-id") or "").isdigit():
            raise TelegramHtmlError("<tg-emoji> needs a numeric emoji-id", position)
        if tag == "code" and not (values.get("class") or "language-x").startswith("language-"):
            raise TelegramHtmlError('<code> may only have class="language-…"', position)
        open_names = [name for name, _ in self.stack]
        inner = open_names[-1] if open_names else None
        if inner in _HOLDS_NOTHING and not (inner == "pre" and tag == "code"):
            raise TelegramHtmlError(f"<{tag}> inside <{open_names[-1]}>", position)
        if tag in _NOT_IN_ITSELF and tag in open_names:
            raise TelegramHtmlError(f"<{tag}> inside another <{tag}>", position)
        self.stack.append((tag, position))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise TelegramHtmlError(f"<{tag} /> is not a tag Telegram knows", self._position())

    def handle_endtag(self, tag: str) -> None:
        if not self.stack:
            raise TelegramHtmlError(f"</{tag}> closes nothing", self._position())
        if self.stack[-1][0] != tag:
            raise TelegramHtmlError(
                f"</{tag}> where <{self.stack[-1][0]}> must be closed first", self._position()
            )
        self.stack.pop()
