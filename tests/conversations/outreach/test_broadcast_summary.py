"""/broadcast ends in a summary: each part is changed there with its own question and the wizard
comes back to it; the previews that follow show each language once, whole."""

from __future__ import annotations

from bot.app import App
from tests.chat import Chat
from tests.conversations.grants.test_review import staff_member
from tests.conversations.outreach.test_broadcast import everyone
from tests.conversations.outreach.test_send_confirm import previews
from tests.conversations.people.test_onboarding import gettext

SUMMARY_END = "Is everything right? Tap a part to change it, or continue."


async def to_the_summary(staff: Chat, german: str, arabic: str) -> None:
    """An announcement to the newcomers of Parchim (one German, one Arabic), in German and
    Arabic."""
    en = gettext(staff.app, "en")
    await staff.send("/broadcast")
    await staff.press(en("Newcomers"))
    await staff.press("Parchim")
    await staff.press(en("Done"))
    await staff.press(en("Done"))
    await staff.send(german)
    await staff.press("العربية")
    await staff.send(arabic)
    await staff.press(en("Done"))


async def test_the_arabic_version_changed_from_the_summary_is_what_arabic_readers_get(
    app: App,
) -> None:
    staff = await staff_member(app)
    chats = await everyone(app)
    for chat in chats.values():
        chat.channel.take(chat.address)
    en = gettext(app, "en")
    await to_the_summary(staff, "Sprachcafé am Freitag <18 Uhr> & mit Kuchen", "مقهى خطأ")

    [summary] = staff.replies
    assert summary.text.startswith(en("<b>New announcement</b>"))
    assert "Audience: Newcomers; regions: Parchim; languages: all" in summary.text
    assert "<b>German</b>\nSprachcafé am Freitag &lt;18 Uhr&gt; &amp; mit Kuchen" in summary.text
    assert "<b>Arabic</b>\nمقهى خطأ" in summary.text
    assert SUMMARY_END in summary.text
    assert previews(staff) == []  # the previews come after the summary
    assert staff.labels[:4] == ["✎ Audience", "✎ German", "✎ Arabic", "✎ Languages"]

    await staff.press("✎ Arabic")
    assert staff.text.startswith(
        en("Please write the version in {language}.").format(language="Arabic")
    )
    assert "Now: مقهى خطأ" in staff.text
    assert en("Keep it") in staff.labels and "Remove the Arabic version" in staff.labels
    await staff.send("مقهى اللغة يوم الجمعة")
    # Straight back to the summary, not to the list of languages.
    [summary] = staff.replies
    assert SUMMARY_END in summary.text
    assert "<b>Arabic</b>\nمقهى اللغة يوم الجمعة" in summary.text and "خطأ" not in summary.text

    await staff.press(en("Continue"))
    shown = previews(staff)
    assert [p.split("\n")[0] for p in shown] == [
        "Arabic, 1 person, will read:",
        "German, 1 person, will read:",
    ]
    assert shown[0].endswith("مقهى اللغة يوم الجمعة")
    await staff.press(en("Send"))
    assert previews(staff) == []  # once: not again with the confirmation
    await staff.press(en("Yes, send"))
    assert [r.text for r in chats["n-ar-parchim"].channel.take("n-ar-parchim")] == [
        "مقهى اللغة يوم الجمعة"
    ]
    assert [r.text for r in chats["n-de-parchim"].channel.take("n-de-parchim")] == [
        "Sprachcafé am Freitag &lt;18 Uhr&gt; &amp; mit Kuchen"
    ]


async def test_changing_the_audience_or_the_german_text_keeps_the_rest(app: App) -> None:
    staff = await staff_member(app)
    chats = await everyone(app)
    for chat in chats.values():
        chat.channel.take(chat.address)
    en = gettext(app, "en")
    await to_the_summary(staff, "Sprachcafé am Freitag", "مقهى اللغة يوم الجمعة")

    await staff.press("✎ Audience")
    await staff.press(en("Volunteers"))
    assert "✓ Parchim" in staff.labels  # the regions chosen before
    await staff.press(en("Done"))
    await staff.press(en("Done"))
    [summary] = staff.replies  # not the German text again
    assert "Audience: Volunteers; regions: Parchim; languages: all" in summary.text
    assert "مقهى اللغة يوم الجمعة" in summary.text

    await staff.press("✎ German")
    assert "Now: Sprachcafé am Freitag" in staff.text
    await staff.send("Sprachcafé am Samstag")
    assert "Sprachcafé am Samstag" in staff.text and "مقهى اللغة يوم الجمعة" in staff.text

    await staff.press(en("Continue"))
    await staff.press(en("Send"))
    await staff.press(en("Yes, send"))
    assert [r.text for r in chats["v-de-parchim"].channel.take("v-de-parchim")] == [
        "Sprachcafé am Samstag"
    ]
    assert chats["n-de-parchim"].channel.take("n-de-parchim") == []


async def test_an_english_version_asks_the_fallback_and_removing_it_drops_it(app: App) -> None:
    staff = await staff_member(app)
    await everyone(app)
    en = gettext(app, "en")
    await to_the_summary(staff, "Sprachcafé am Freitag", "مقهى اللغة يوم الجمعة")

    await staff.press("✎ Languages")
    await staff.press("English")
    await staff.send("Language café on Friday")
    assert SUMMARY_END in staff.text and "Language café on Friday" in staff.text
    await staff.press("✎ Languages")
    await staff.press(en("Done"))  # now with English: which version the others read
    assert staff.text.startswith(en("Which version do people get whose language has none?"))
    await staff.press("English")
    assert "People whose language has no version read it in English." in staff.text
    assert "✎ Fallback language" in staff.labels

    await staff.press("✎ English")
    await staff.press("Remove the English version")
    assert SUMMARY_END in staff.text
    assert "Language café" not in staff.text and "no version read it" not in staff.text
    assert "✎ Fallback language" not in staff.labels


async def test_long_texts_are_shortened_in_the_summary_and_whole_in_the_preview(
    app: App,
) -> None:
    staff = await staff_member(app)
    await everyone(app)
    en = gettext(app, "en")
    long = {
        code: f"{code} " + "ж" * 3490 + " Ende" for code in ("de", "en", "ar", "fa", "uk", "ru")
    }
    await staff.send("/broadcast")
    await staff.press(en("Everyone"))
    await staff.press(en("Done"))
    await staff.press(en("Done"))
    await staff.send(long["de"])
    for code, label in (
        ("en", "English"),
        ("ar", "العربية"),
        ("fa", "فارسی"),
        ("uk", "Українська"),
        ("ru", "Русский"),
    ):
        await staff.press(label)
        await staff.send(long[code])
    await staff.press(en("Done"))
    await staff.press("Deutsch")
    [summary] = staff.replies
    assert summary.text.count("[… shortened: 3,498 characters in all]") == 6
    assert "Ende" not in summary.text and len(summary.text) < 4096

    await staff.press(en("Continue"))
    shown = previews(staff)
    # Everyone: German, Arabic, Farsi, Ukrainian and the staff member's English, each whole.
    assert len(shown) == 5 and all(p.endswith(" Ende") for p in shown)
    assert all(len(p) < 4096 for p in shown)
