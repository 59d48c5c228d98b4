"""What a person can throw at the bot, as hypothesis strategies: texts, commands, button presses
(the ones shown, old ones, forged ones), files and redeliveries; and what every answer must be.

An event is abstract (press the third button shown, tamper with the fifth button seen), so that a
sequence shrinks well and reads well when it fails; each channel's driver makes it concrete.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from hypothesis import strategies as st

from bot.channels.html import split_html
from bot.channels.telegram.sending import MESSAGE_LIMIT
from conversations.commands import build_engine
from conversations.messages import CALLBACK_DATA_MAX_BYTES, InboundKind, Reply
from tests.e2e.telegram_fake import TEXT_LIMIT, EntityError, parse_html, utf16_length

# HYPOTHESIS_PROFILE=long (README, "Develop it"): thousands of sequences, and longer ones.
LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
LOCALES = ("de", "en", "ar", "fa", "uk", "ru")
# "new" has never written before; the others have set up (staff and admins as office staff).
ROLES = ("new", "newcomer", "volunteer", "staff", "admin")
COMMANDS = tuple(sorted(build_engine().commands))
ACTION_PREFIXES = tuple(sorted(build_engine().actions))


# --- events ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class Command:
    name: str
    args: str = ""


@dataclass(frozen=True)
class Press:
    """A button of the latest message with buttons (the `index`th, modulo their number)."""

    index: int


@dataclass(frozen=True)
class PressStale:
    """A button of any earlier message this person was shown."""

    index: int


@dataclass(frozen=True)
class Forge:
    """Callback data no button carries, as a modified client sends it."""

    data: str


@dataclass(frozen=True)
class Tamper:
    """A button seen before, with each number in its data replaced by `number`."""

    index: int
    number: str


@dataclass(frozen=True)
class SendFile:
    kind: InboundKind  # DOCUMENT or PHOTO
    name: str | None
    size: int | None
    mime_type: str | None
    content: bytes


@dataclass(frozen=True)
class SendOther:
    """A sticker, voice message, location, contact or something else without text."""

    kind: InboundKind


@dataclass(frozen=True)
class Again:
    """The last update delivered once more (memory), or the last message edited (Telegram)."""

    text: str


Event = Say | Command | Press | PressStale | Forge | Tamper | SendFile | SendOther | Again


# --- texts -----------------------------------------------------------------------------

# What gets a flow further: names, addresses, amounts, counts, dates and times in several ways.
PLAUSIBLE = (
    "Vera Schulz",
    "vera@example.org",
    "+49 170 1234567",
    "Deutsch-Café",
    "Wöchentliches Treffen zum Deutschsprechen für neue Nachbarn in Parchim.",
    "Rathaus Parchim, Schuhmarkt 1",
    "https://example.org/treffen",
    "Was brauchen Sie, um an Treffen teilzunehmen?",
    "Kinderbetreuung",
    "Wohnung",
    "Arzt",
    "Hagenow",
    "0",
    "1",
    "2",
    "4",
    "20",
    "120",
    "500",
    "1000",
    "1.000,50",
    "1,000.50",
    "٥٠٠",
    "۵۰۰",
    "2026-12-10",
    "10.12.2026",
    "18:00",
    "6 pm",
    "yes",
    "Ja",
)
# What breaks parsers and columns.
HOSTILE = (
    "",
    " ",
    "\n\n",
    "\t",
    "\r\n",
    "\x00",
    "a\x00b",
    "Titel\x00mit NUL",
    "\u202eevil.exe\u202c",
    "\u2067Bidi\u2069 \u200f",
    "\ufeff",
    "9" * 30,
    "٩" * 30,
    "۹" * 30,
    "-5",
    "1e9",
    "NaN",
    "Infinity",
    "0,0000001",
    "1.000.000.000.000,00",
    "99999999999999999999999999999999",
    "<b>unclosed & <script>",
    "&amp; &lt;i&gt; </b> &#0; &bogus;",
    '<a href="javascript:x">x</a>',
    "😀" * 50,
    "x" * 201,
    "x@" + "y" * 300 + ".de",
    "a" * 2001,
    "/",
    "//start",
)
SEEN_NUMBERS = ("0", "1", "2", "3", "-1", "999999999999999999999", "2147483648", "2147483647")
ODD_IDS = (*SEEN_NUMBERS, "abc", "", "٣", "1.5", " 1", "0x1f", "1e3", "99999")
SUFFIXES = ("yes", "no", "maybe", "1", "0", "-3", "cancel", "approve", "999999999999")


def fit_callback(data: str) -> str:
    """Callback data as Telegram carries it: 1 to 64 bytes of UTF-8."""
    cut = data.encode()[:CALLBACK_DATA_MAX_BYTES].decode(errors="ignore")
    return cut or "x"


def long_texts(limit: int) -> st.SearchStrategy[str]:
    return st.builds(
        lambda piece, times: (piece * times)[:limit],
        st.text(min_size=1, max_size=12),
        st.integers(min_value=350, max_value=1500),
    )


def texts(limit: int = 20_000) -> st.SearchStrategy[str]:
    """Any Unicode (control characters too, but no lone surrogates), plausible and hostile."""
    return st.one_of(
        st.sampled_from(PLAUSIBLE),
        st.sampled_from(PLAUSIBLE),
        st.sampled_from(HOSTILE).map(lambda text: text[:limit]),
        st.text(max_size=80),
        st.text(st.characters(codec="utf-8", categories=("Cc", "Cf", "Zs", "Nd")), max_size=40),
        long_texts(limit),
    )


def forged_data() -> st.SearchStrategy[str]:
    known = st.builds(
        lambda prefix, ids, suffix: ":".join([prefix, *ids, *suffix]),
        st.sampled_from((*ACTION_PREFIXES, "cmd", "decide", "lang", "role", "region", "privacy")),
        st.lists(st.sampled_from(ODD_IDS), max_size=2),
        st.lists(st.sampled_from(SUFFIXES), max_size=1),
    )
    commands = st.sampled_from((*COMMANDS, "", "STAFF", "deletemydata:yes", "x" * 70)).map(
        lambda name: "cmd:" + name
    )
    return st.one_of(known, commands, st.text(min_size=1, max_size=64)).map(fit_callback)


def files() -> st.SearchStrategy[SendFile]:
    names = st.one_of(
        st.none(),
        st.sampled_from(
            (
                "Beleg.pdf",
                "Quittung Saal.jpg",
                "virus.exe",
                "<b>x</b>&.pdf",
                "a" * 400 + ".pdf",
                "b" * 404,
                "..",
                "../../etc/passwd",
                "\u202egpj.exe",
                "Rechnung\x00.pdf",
                "",
            )
        ),
        st.text(max_size=400),
    )
    contents = st.sampled_from(
        (
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
            b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32,
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
            b"MZ\x90\x00" + b"\x00" * 60,
            b"",
            b"<html><script>x</script></html>",
        )
    )
    return st.builds(
        SendFile,
        kind=st.sampled_from((InboundKind.DOCUMENT, InboundKind.PHOTO)),
        name=names,
        size=st.one_of(
            st.none(), st.sampled_from((0, 1, 20 * 1024 * 1024, 20 * 1024 * 1024 + 1, 10**12))
        ),
        mime_type=st.sampled_from(
            ("application/pdf", "image/jpeg", "image/png", "application/x-msdownload", "", None)
        ),
        content=contents,
    )


def events(*, text_limit: int = 20_000) -> st.SearchStrategy[Event]:
    """One thing a person does; pressing a shown button is the most likely, so that sequences
    get deep into the flows."""
    press = st.builds(Press, st.integers(min_value=0, max_value=30))
    say = st.builds(Say, texts(text_limit))
    return st.one_of(
        press,
        press,
        press,
        press,
        say,
        say,
        st.builds(
            Command,
            st.sampled_from((*COMMANDS, "unknowncommand")),
            st.one_of(st.just(""), st.sampled_from(PLAUSIBLE), st.text(max_size=40)),
        ),
        st.builds(PressStale, st.integers(min_value=0, max_value=200)),
        st.builds(Forge, forged_data()),
        st.builds(Tamper, st.integers(min_value=0, max_value=200), st.sampled_from(ODD_IDS)),
        files(),
        st.builds(
            SendOther,
            st.sampled_from(
                (
                    InboundKind.STICKER,
                    InboundKind.VOICE,
                    InboundKind.VIDEO,
                    InboundKind.LOCATION,
                    InboundKind.CONTACT,
                    InboundKind.OTHER,
                )
            ),
        ),
        st.builds(Again, st.sampled_from(("", "edited", *HOSTILE[:12]))),
    )


def tampered(data: str, number: str) -> str:
    return fit_callback(re.sub(r"\d+", number, data)) if re.search(r"\d", data) else data


# --- what every answer must be ---------------------------------------------------------


def apologies(translators: dict[str, object]) -> set[str]:
    """The apology of a failed turn, in every language."""
    source = (
        "Sorry, something went wrong on my side. Please try again; your earlier answers are kept."
    )
    return {t.gettext(source) for t in translators.values()}  # type: ignore[attr-defined]


def reply_problems(reply: Reply, *, apology: set[str]) -> list[str]:
    """Why Telegram would refuse this reply after the channel split it, or why it is a failed
    turn; empty when it is fine."""
    problems: list[str] = []
    if reply.text in apology:
        problems.append("the apology for a failed turn")
    parts = split_html(reply.text, MESSAGE_LIMIT)
    if reply.edit_of is not None:
        parts = parts[:1]
    for number, part in enumerate(parts):
        try:
            plain = parse_html(part)
        except EntityError as error:
            problems.append(f"part {number}: can't parse entities: {error}: {part[:300]!r}")
            continue
        if not plain.strip():
            problems.append(f"part {number}: message text is empty: {reply.text[:200]!r}")
        if utf16_length(plain) > TEXT_LIMIT:
            problems.append(f"part {number}: {utf16_length(plain)} characters after the split")
    buttons = reply.all_choices()
    if len(buttons) > 100:
        problems.append(f"{len(buttons)} buttons")
    for choice in buttons:
        size = len(choice.data.encode())
        if not 0 < size <= CALLBACK_DATA_MAX_BYTES:
            problems.append(f"button data of {size} bytes: {choice.data!r}")
        if not choice.label.strip():
            problems.append(f"a button without a label: {choice.data!r}")
    return problems
