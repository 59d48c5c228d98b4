"""Random things a person can throw at the bot through the fake Bot API, for robustness tests.

Each is a named way to send one update; a seeded `random.Random` makes a failing run repeatable.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from tests.e2e.telegram_fake import FakeBotApi

# Latin, Arabic and Cyrillic letters, digits, an emoji (two UTF-16 units), and what HTML escapes.
_ALPHABET = "abcXYZäöüß 0123456789 ابتثجحخ ٠١٢٣ Привіт 😀 <>&\"' \n"

# Callback data no button of the open question carries: made up, or meant for other steps.
FORGED = (
    "zz:" + "q" * 61,  # the full 64 bytes Telegram allows
    "ا" * 32,  # 64 bytes of Arabic
    "role:admin",
    "region:atlantis",
    "privacy:accept",  # must not skip the steps before it
    "cmd:review",  # a staff command
    "lang:xx",
    "rsvp:99999:yes",
)
# Data for the buttons that work outside any conversation, pointing at nothing that exists.
FORGED_ACTIONS = (
    "rsvp:99999:yes",
    "guests:99999:2",
    "survey:99999:1",
    "surveytext:99999",
    "meetedit:99999:cancel",
    "bcstop:99999",
    "cmd:export",
)


@dataclass(frozen=True)
class Junk:
    name: str
    send: Callable[[], int]


def long_text(rng: random.Random, length: int = 5000) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(length))


def junk(
    fake: FakeBotApi,
    user_id: int,
    rng: random.Random,
    *,
    question_id: int,
    stale_id: int,
    forged: Sequence[str] = FORGED,
) -> list[Junk]:
    """Files, a location, odd texts and forged button presses, in a random order.

    Forged data is pressed on `question_id` (the open question) or `stale_id` (an earlier
    message), as a modified client or an old message would.
    """
    items = [
        Junk("sticker", partial(fake.send_sticker, user_id)),
        Junk("photo", partial(fake.send_photo, user_id, caption="<i>unclosed & ok")),
        Junk("voice", partial(fake.send_voice, user_id)),
        Junk("location", partial(fake.send_location, user_id)),
        Junk("document", partial(fake.send_document, user_id, file_name="<x>&.pdf")),
        Junk("5000 characters", partial(fake.send_text, user_id, long_text(rng))),
        Junk("html", partial(fake.send_text, user_id, "<b>unclosed & <script>")),
        Junk("entities", partial(fake.send_text, user_id, "&amp; &lt;i&gt; </b> &#0; &bogus;")),
    ]
    for data in forged:
        message_id = rng.choice([question_id, stale_id])
        items.append(
            Junk(
                f"forged {data!r} on message {message_id}",
                partial(fake.press_button, user_id, message_id, data, check=False),
            )
        )
    rng.shuffle(items)
    return items
