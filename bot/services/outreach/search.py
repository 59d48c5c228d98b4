"""Search in the information library: typed questions in any language matched against the
topics' titles and texts in every language, with no service outside the bot."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

# Words too common to tell what a question is about: articles, pronouns, auxiliaries,
# prepositions, question words and greetings. Every language's list applies to every query,
# because people ask in whatever language comes to hand.
STOP_WORDS = {
    "de": "der die das den dem des ein eine einen einem einer eines und oder aber ich du er sie "
    "es wir ihr mich mir dich dir uns euch ihn ihm ihnen mein meine dein deine sein seine ihre "
    "bin bist ist sind war waren hat habe haben hast wird werden kann können muss müssen möchte "
    "will soll geht gibt gut wann wo wie was wer wen wem warum wieso wohin woher welche welcher "
    "welches nicht kein keine mit von zu zum zur im am auf für bei aus nach um über ja nein "
    "hallo danke bitte",
    "en": "a an the and or but i you he she it we they me my your his her our their is are am "
    "was were be been do does did have has had can could will would should may must to of in "
    "on at for with from by about as this that these those what when where who whom whose why "
    "how which there here not no yes hello hi please thanks thank",
    "ar": "في من إلى على عن مع هذا هذه ذلك تلك هو هي أنا أنت أنتم نحن هم ما ماذا متى أين كيف "
    "لماذا هل الذي التي كان يكون لا نعم أو ثم مرحبا شكرا",
    "fa": "و در به از که این آن را با برای است هست بود من تو او ما شما آنها چه چی کجا کی چرا "
    "چطور چگونه آیا یک هم نه بله سلام ممنون مرسی",
    "uk": "і й та а але в у на з із до по за від для про що як де коли хто чому чи це я ти він "
    "вона воно ми ви вони мене мені мій моя є був була бути не так ні привіт справи дякую",
    "ru": "и в во на с со к ко по за от до для о об про что как где когда кто почему зачем ли "
    "это я ты он она оно мы вы они меня мне мой моя есть был была быть не нет да а но или у из "
    "привет дела спасибо",
}
ARABIC_ARTICLES = ("وال", "بال", "فال", "كال", "لل", "ال")  # the longer prefixes first
PREFIX_FROM = 4  # a typed word this long also finds the words it begins: 'Schul', 'Schule'
TITLE_WEIGHT = 4  # a word of the title outweighs up to three mentions in the text
LINKS = re.compile(r"\S+@\S+|(?:https?://|www\.)\S+", re.IGNORECASE)


def _folded(text: str) -> str:
    """Lower case without accents and Arabic diacritics, for matching typed words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _without_article(word: str) -> str:
    for prefix in ARABIC_ARTICLES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            return word[len(prefix) :]
    return word


def search_words(text: str) -> list[str]:
    """The words of a text as the search compares them: folded, without links and e-mail
    addresses, without the Arabic article (المدرسة is مدرسة)."""
    return [_without_article(word) for word in re.findall(r"\w+", _folded(LINKS.sub(" ", text)))]


_STOP = frozenset(search_words(" ".join(STOP_WORDS.values())))


def query_words(text: str) -> list[str]:
    """What a typed question is about: its words without the stop words, each once."""
    words: list[str] = []
    for word in search_words(text):
        if len(word) >= 2 and word not in _STOP and word not in words:
            words.append(word)
    return words


def _weight(word: str, title: Counter[str], body: Counter[str]) -> int:
    """How well a query word fits an article: a word of the title weighs more than any number
    of mentions in the text, and a few mentions more than one."""

    def mentions(words: Counter[str]) -> int:
        if len(word) < PREFIX_FROM:
            return words[word]
        return sum(count for other, count in words.items() if other.startswith(word))

    return TITLE_WEIGHT * bool(mentions(title)) + min(mentions(body), TITLE_WEIGHT - 1)


def topic_scores(text: str, articles: Iterable[tuple[str, str, str]]) -> dict[str, int]:
    """Score per topic for the (topic, title, body) articles whose text in some language holds
    at least half of the words that matter in `text`; higher is better."""
    words = query_words(text)
    if not words:
        return {}
    best: dict[str, dict[str, int]] = {}  # topic → query word → its best weight
    for topic, title_text, body_text in articles:
        title, body = Counter(search_words(title_text)), Counter(search_words(body_text))
        weights = best.setdefault(topic, {})
        for word in words:
            weights[word] = max(weights.get(word, 0), _weight(word, title, body))
    return {
        topic: sum(weights.values())
        for topic, weights in best.items()
        if 2 * sum(1 for weight in weights.values() if weight) >= len(words)
    }
