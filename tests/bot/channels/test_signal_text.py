"""Signal's text: styles from the neutral reply's HTML, long texts split, numbered choices."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.numbered import NOTHING, Shown, choice_lines, read_line, shown_by, typed_choice
from bot.channels.signal.text import Styled, size, split, styled, units
from conversations.messages import Choice, Expects, InboundKind, Reply


def covered(message: Styled, style: str) -> list[str]:
    encoded = message.text.encode("utf-16-le")
    return [
        encoded[start * 2 : (start + length) * 2].decode("utf-16-le")
        for start, length, name in message.styles
        if name == style
    ]


def test_bold_and_italics_become_styles_counted_in_utf16_units() -> None:
    message = styled("<b>Titel 😀</b>\nنص <i>مائل</i> &amp; <b>fett</b>")
    assert message.text == "Titel 😀\nنص مائل & fett"
    assert covered(message, "BOLD") == ["Titel 😀", "fett"]
    assert covered(message, "ITALIC") == ["مائل"]
    assert message.text_styles()[0] == "0:8:BOLD"  # the emoji counts two units


def test_links_keep_their_address_and_unknown_tags_their_text() -> None:
    message = styled('Mehr: <a href="https://www.kreis-lup.de">Landkreis</a> <u>jetzt</u>')
    assert message.text == "Mehr: Landkreis (https://www.kreis-lup.de) jetzt"
    assert styled('<a href="https://x.de">https://x.de</a>').text == "https://x.de"


def test_a_long_text_is_split_at_line_ends_with_its_styles() -> None:
    line = "Zeile mit Text. " * 5 + "\n"
    message = styled("<b>" + line * 40 + "</b>" + line * 40)
    parts = split(message, 2000)
    assert len(parts) > 1
    assert all(size(part.text) <= 2000 for part in parts)

    def words(text: str) -> list[str]:
        return text.split()

    assert [w for part in parts for w in words(part.text)] == words(message.text)
    bold = [w for part in parts for text in covered(part, "BOLD") for w in words(text)]
    assert bold == words(line * 40)


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=5000))
def test_any_text_splits_into_parts_within_the_limit(text: str) -> None:
    parts = split(Styled(text, ((0, units(text), "BOLD"),) if text else ()), 500)
    for part in parts:
        assert size(part.text) <= 500
        for start, length, _ in part.styles:
            assert start >= 0 and start + length <= units(part.text)


def reply(expects: Expects | None, *labels: str) -> Reply:
    choices = tuple((Choice(label, f"c:{n}"),) for n, label in enumerate(labels))
    return Reply("?", choices, expects=expects.value if expects else None)


def test_choices_are_numbered_unless_a_typed_number_is_the_answer() -> None:
    assert choice_lines(reply(Expects.CHOICE, "Ja", "Nein")) == ["1) Ja", "2) Nein"]
    assert choice_lines(reply(Expects.NUMBER, "Keine Grenze")) == ["Keine Grenze"]
    assert shown_by(reply(Expects.NUMBER, "Keine Grenze")) == Shown(
        (Choice("Keine Grenze", "c:0"),), numbered=False
    )


def test_which_list_a_number_refers_to() -> None:
    menu = shown_by(reply(None, "Antrag", "Treffen"))
    assert menu is not None and menu.numbered
    assert shown_by(Reply("Gespeichert.")) is None  # a notice leaves the list in place
    assert shown_by(reply(Expects.TEXT)) == NOTHING  # a typed answer is asked for
    assert typed_choice("2", menu) == Choice("Treffen", "c:1")
    assert typed_choice("٢", menu) == Choice("Treffen", "c:1")  # Arabic-Indic digits
    assert typed_choice(" treffen ", menu) == Choice("Treffen", "c:1")
    assert typed_choice("3", menu) is None
    assert typed_choice("9" * 40, menu) is None


def test_a_typed_line_becomes_a_command_a_choice_or_text() -> None:
    menu = Shown((Choice("Antrag", "cmd:apply"),), numbered=True)
    command = read_line("signal", "u", "/link 1234 5678", menu)
    assert (command.kind, command.command, command.args) == (
        InboundKind.COMMAND,
        "link",
        "1234 5678",
    )
    choice = read_line("signal", "u", "1", menu)
    assert (choice.kind, choice.data, choice.numbered) == (InboundKind.CHOICE, "cmd:apply", True)
    assert read_line("signal", "u", "12", menu).kind is InboundKind.TEXT
    assert read_line("signal", "u", "/ nothing", menu).kind is InboundKind.TEXT
