"""Search in the information library: a typed question in any language, matched word by word
against every topic's titles, keywords and texts in every language, with no service outside the
bot. Ranked like BM25 in miniature: a word that fits the title or the keywords counts more than
one in the text, and a word found in many topics counts less than one found in few."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

# Words too common to tell what a question is about: articles, pronouns, auxiliaries,
# prepositions, question words, the verbs of asking (find, need, want), greetings, and the
# country that every topic is about (Deutschland would find the German courses). Every
# language's list applies to every query, because people ask in whatever language comes to hand.
STOP_WORDS = {
    "de": "der die das den dem des ein eine einen einem einer eines und oder aber ich du er sie "
    "es wir ihr mich mir dich dir uns euch ihn ihm ihnen man sich mein meine meinen meinem "
    "meiner meines dein deine sein seine ihre ihren unser unsere bin bist ist sind war waren "
    "hat habe haben hast wird werden kann können muss müssen möchte möchten will wollen "
    "soll sollen darf geht gibt gut wann wo wie was wer wen wem warum wieso wohin woher welche "
    "welcher welches welchen nicht kein keine mit von zu zum zur im am an in auf für bei aus "
    "nach um über ja nein hallo danke bitte finde finden suche suchen brauche brauchen mache "
    "machen bekomme kriege hier dort da noch schon auch mal etwas denn bloß einfach gerne tun "
    "alles okay ok tschüss deutschland deutschlands",
    "en": "a an the and or but i you he she it we they me my your his her our their is are am "
    "was were be been do does did have has had can could will would should may must to of in "
    "on at for with from by about as this that these those what when where who whom whose why "
    "how which there here not no yes hello hi please thanks thank find get need needs want "
    "looking look some any anyone somebody someone all ok okay good fine bye germany",
    "ar": "في من إلى الى على عن مع هذا هذه ذلك تلك هو هي أنا انا أنت أنتم نحن هم ما ماذا متى أين "
    "وين كيف لماذا هل الذي التي كان يكون لا نعم أو او ثم مرحبا شكرا أجد اجد أريد اريد أحتاج "
    "احتاج ابحث أبحث يمكن يمكنني ممكن لي عندي عند كل بعض أفعل افعل حالك كيفك تمام ألمانيا المانيا",
    "fa": "و در به از که این آن را با برای است هست بود من تو او ما شما آنها چه چی کجا کجاست کی "
    "چرا چطور چگونه آیا یک هم نه بله سلام ممنون مرسی می میخواهم خواهم میخوام میتوانم "
    "توانم کنم کنیم باید دارم پیدا کرد کرده شود بشه چیه ام ها های اش ای چکار چیکار خوب "
    "خوبی خوبم خوبید آلمان",
    "uk": "і й та а але в у на з із до по за від для про що як де коли хто чому чи це я ти він "
    "вона воно ми ви вони мене мені мій моя моє мої мого моєї моєму моїй є був була бути не "
    "так ні привіт справи дякую знайти знайду шукаю потрібен потрібна потрібно треба можна "
    "хочу робити зробити німеччина німеччині німеччину",
    "ru": "и в во на с со к ко по за от до для о об про что как где когда кто почему зачем ли "
    "это я ты он она оно мы вы они меня мне мой моя моё мои моего моей моему есть был была "
    "быть не нет да а но или у из привет дела спасибо найти найду ищу нужен нужна нужно надо "
    "можно хочу делать сделать германия германии германию",
}
# Pairs of words that together only ask (Persian 'what shall I do'), though the second alone
# means something ('کار', work).
STOP_PAIRS = {"fa": ("چه کار", "چی کار")}
ARABIC_ARTICLES = ("وال", "بال", "فال", "كال", "لل", "ال")  # the longer prefixes first
# One spelling for letters people write either way: Persian and Arabic yeh and kaf, alef
# maksura, ta marbuta, the tatweel that only stretches a word, and the zero-width non-joiner.
LETTERS = str.maketrans({"ی": "ي", "ى": "ي", "ک": "ك", "ة": "ه", "ـ": None, "\u200c": " "})
PREFIX_FROM = 4  # a word this long also matches the words it begins: 'Schul', 'Schule'
TYPO_FROM = 5  # a word this long also matches a title or keyword word one edit away
TITLE_WEIGHT = 3.0  # a word of the title or the keywords: what the topic is about
BODY_MENTION = 0.5  # each mention in the text, up to three
BODY_MOST = 1.5
# How well a word matches that is not the same: its beginning, a form of it with an ending
# ('врача' of 'врач', 'اقامتم' of 'اقامت'), a longer word it begins (a compound), one typo.
BEGINS, ENDING, COMPOUND, TYPO = 0.8, 0.8, 0.5, 0.6
ENDING_MOST = 2  # letters an ending may add
KEEP_FROM_BEST = 0.25  # topics scoring less than this share of the best are left out
# The words of a question that count, its first ones: a question is a few words, and every word
# is held against every topic's words (a message of 5,000 random characters, ~700 words, took
# 4 s of the bot's event loop).
QUERY_WORDS_MOST = 16
LINKS = re.compile(r"\S+@\S+|(?:https?://|www\.)\S+", re.IGNORECASE)


def _folded(text: str) -> str:
    """Lower case without accents, diacritics and hamza (ё is е, أ is ا), one spelling for the
    Arabic-script letters written two ways, and Arabic-Indic and Persian digits as 0 to 9."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(LETTERS))
    return "".join(
        str(unicodedata.decimal(ch, "")) or ch for ch in decomposed if not unicodedata.combining(ch)
    )


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
_STOP_PAIRS = frozenset(
    tuple(search_words(pair)) for pairs in STOP_PAIRS.values() for pair in pairs
)


def query_words(text: str) -> list[str]:
    """What a typed question is about: its words without the stop words, each once, the first
    QUERY_WORDS_MOST of them."""
    found = search_words(text)
    pairs = {i for i in range(len(found) - 1) if (found[i], found[i + 1]) in _STOP_PAIRS}
    words: list[str] = []
    for i, word in enumerate(found):
        if i in pairs or i - 1 in pairs:
            continue
        if len(word) >= 2 and word not in _STOP and word not in words:
            words.append(word)
            if len(words) == QUERY_WORDS_MOST:
                break
    return words


def one_edit(a: str, b: str) -> bool:
    """Whether `a` becomes `b` by at most one insertion, deletion, substitution or swap of two
    neighbouring letters (Damerau-Levenshtein distance ≤ 1)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    start = 0
    while start < len(a) and a[start] == b[start]:
        start += 1
    if start == len(a):
        return True  # equal, or b has one letter more at the end
    if len(a) < len(b):
        return a[start:] == b[start + 1 :]
    return a[start + 1 :] == b[start + 1 :] or (
        a[start : start + 2] == b[start : start + 2][::-1] and a[start + 2 :] == b[start + 2 :]
    )


def resemblance(word: str, other: str) -> float:
    """How well a query word matches a word of a title or the keywords, from 0 to 1: the same
    word; one beginning the other ('Schul' and 'Schule', 'лікаря' and 'лікар'); one typo."""
    if word == other:
        return 1.0
    if len(word) >= PREFIX_FROM and other.startswith(word):
        return BEGINS
    if len(other) >= PREFIX_FROM and word.startswith(other):
        return ENDING if len(word) - len(other) <= ENDING_MOST else COMPOUND
    if min(len(word), len(other)) >= TYPO_FROM and one_edit(word, other):
        return TYPO
    return 0.0


def _begins(word: str, other: str) -> bool:
    """The same word, or one of at least PREFIX_FROM letters beginning the other: a word of a
    text matches its other forms ('Arzt' and 'Arztpraxis', 'врач' and 'врача') but no more."""
    if len(word) < PREFIX_FROM or len(other) < PREFIX_FROM:
        return word == other
    return other.startswith(word) or word.startswith(other)


@dataclass(frozen=True)
class Document:
    """One topic in one language, as the search reads it."""

    topic: str
    title: str
    keywords: str  # comma-separated, as in the file's header
    body: str


class _Indexed:
    def __init__(self, document: Document) -> None:
        self.topic = document.topic
        self.heading = set(search_words(document.title)) | set(search_words(document.keywords))
        self.body = Counter(search_words(document.body))

    def weight(self, word: str) -> tuple[float, bool]:
        """How much `word` says this text is the one asked for, and whether it is said by the
        title or the keywords."""
        heading = max((resemblance(word, other) for other in self.heading), default=0.0)
        mentions = sum(count for other, count in self.body.items() if _begins(word, other))
        body = min(BODY_MENTION * mentions, BODY_MOST)
        return TITLE_WEIGHT * heading + body, heading > 0


def topic_scores(text: str, documents: Iterable[Document]) -> dict[str, float]:
    """Score per topic, higher is better, for the topics that fit `text`: a word of the
    question fits a title or keywords in some language, or half the words appear in a text
    (words of four letters or more, or numbers). Topics far below the best are left out."""
    words = query_words(text)
    if not words:
        return {}
    weights: dict[str, dict[str, float]] = {}  # topic → query word → its best weight
    headed: dict[str, set[str]] = {}  # topic → the query words its titles or keywords fit
    for document in map(_Indexed, documents):
        best = weights.setdefault(document.topic, {})
        for word in words:
            weight, in_heading = document.weight(word)
            best[word] = max(best.get(word, 0.0), weight)
            if in_heading:
                headed.setdefault(document.topic, set()).add(word)
    # A word that names few topics tells more than one that many mention (BM25's idf), counted
    # by the titles and keywords that fit it, or else by the texts.
    rarity = {}
    for word in words:
        count = sum(1 for fit in headed.values() if word in fit) or sum(
            1 for best in weights.values() if best[word]
        )
        rarity[word] = math.log(1 + len(weights) / count) if count else 0.0
    telling = [word for word in words if len(word) >= PREFIX_FROM or word.isdigit()]
    scores = {
        topic: sum(weight * rarity[word] for word, weight in best.items())
        for topic, best in weights.items()
        if topic in headed or 2 * sum(1 for word in telling if best[word]) >= len(words)
    }
    scores = {topic: score for topic, score in scores.items() if score > 0}
    if not scores:
        return {}
    top = max(scores.values())
    return {topic: score for topic, score in scores.items() if score >= KEEP_FROM_BEST * top}
