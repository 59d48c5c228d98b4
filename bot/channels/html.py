"""Telegram-style HTML: split long texts without breaking tags or entities, and render as plain."""

from __future__ import annotations

import re
from html import unescape

TOKEN = re.compile(r"<[^>]*>|&[#a-zA-Z0-9]+;|[^<&\n]+|\n|[<&]")
TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)")


def visible_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units of the text without tags."""
    plain = unescape(re.sub(r"<[^>]*>", "", text))
    return len(plain.encode("utf-16-le")) // 2


def split_html(text: str, limit: int = 4000) -> list[str]:
    """Parts of at most `limit` visible characters, cut at line ends where possible, with tags
    closed at the end of a part and opened again at the start of the next."""
    if visible_length(text) <= limit:
        return [text]
    tokens = _line_tokens(text)
    parts: list[str] = []
    open_tags: list[tuple[str, str]] = []  # (name, opening tag as written)
    current: list[str] = []
    size = 0
    # After the last line end in this part: (token index, len(current), open tags, size).
    line_end: tuple[int, int, list[tuple[str, str]], int] | None = None

    def flush() -> None:
        nonlocal current, size, line_end
        body = "".join(current) + "".join(f"</{name}>" for name, _ in reversed(open_tags))
        if unescape(re.sub(r"<[^>]*>", "", body)).strip():
            parts.append(body.strip("\n"))
        current, size, line_end = [tag for _, tag in open_tags], 0, None

    index = 0
    while index < len(tokens):
        token = tokens[index]
        tag = TAG.match(token) if token.startswith("<") and len(token) > 1 else None
        if tag:
            if tag.group(1) == "/":
                if open_tags and open_tags[-1][0] == tag.group(2).lower():
                    open_tags.pop()
            else:
                open_tags.append((tag.group(2).lower(), token))
            current.append(token)
            index += 1
            continue
        length = visible_length(token)
        if size + length > limit:
            if line_end is not None and line_end[3] > limit // 2:
                index, kept, open_tags, size = line_end[0], line_end[1], line_end[2], line_end[3]
                del current[kept:]
            elif size == 0 or length > limit:
                head, tokens[index] = _cut(token, limit - size)
                current.append(head)
            flush()
            continue
        current.append(token)
        size += length
        index += 1
        if token.endswith("\n"):
            line_end = (index, len(current), list(open_tags), size)
    flush()
    return parts


def _line_tokens(text: str) -> list[str]:
    """Tags, entities, and text runs that end at line ends, so parts prefer to end with a line."""
    tokens: list[str] = []
    for match in TOKEN.finditer(text):
        token = match.group(0)
        if token == "\n" and tokens and not tokens[-1].startswith("<"):
            tokens[-1] += token
        else:
            tokens.append(token)
    return tokens


def _cut(token: str, room: int) -> tuple[str, str]:
    """Cut a text run (never an entity) to fit `room`, at the last space if there is one."""
    if token.startswith("&"):
        return "", token
    units = 0
    end = 0
    for index, char in enumerate(token):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > room:
            break
        end = index + 1
    space = token.rfind(" ", 0, end)
    if space > end // 2:
        end = space + 1
    return token[:end], token[end:]


def html_to_plain(text: str) -> str:
    """The text a person reads, for terminals: links keep their address, tags go."""
    text = re.sub(r'<a\s+href="([^"]*)"[^>]*>(.*?)</a>', r"\2 (\1)", text, flags=re.S)
    return unescape(re.sub(r"<[^>]*>", "", text))
