"""One normalisation of text in Arabic script (Arabic, Sorani Kurdish, Persian) and Latin, applied
alike to what is stored for searching and to what is searched for, so that spelling variants a
journalist types differently still meet.

`normalise` folds: alef and hamza forms (أ إ آ ٱ → ا, ؤ → و, ئ → ي), taa marbuta (ة → ه), alef
maqsura (ى → ي), the Persian and Kurdish letter variants of the same letters (ی → ي, ک → ك, ھ ە ۀ
→ ه), diacritics (harakat, shadda, sukun, superscript alef, Quranic marks), tatweel, Arabic-Indic
and extended digits (٣ ۳ → 3), invisible joiners and bidirectional controls, Latin accents and case
("İstanbul" → "istanbul"). The letters that are Kurdish phonemes of their own (ڕ ڵ ۆ ێ ڤ) stay.

`stem` takes the attached prefixes off one normalised word: an optional conjunction (و ف), an
optional preposition (ب ل ك), then the article (ال), or the contracted لل: والشرطه → شرطه,
للحكومه → حكومه, وبالانسحاب → انسحاب, بكركوك → كركوك. A prefix comes off only when enough of a word
is left that it is unlikely to be the word's own first letter ("وزير", "بغداد" stay).

No Django here: claims (search, the similar-claims warning, matching's candidates) and stance use it.
"""

import functools
import re
import unicodedata

# Letters mapped after decomposition has taken hamza and madda off (أ → ا + U+0654, dropped).
_LETTERS = str.maketrans(
    {
        "\u0671": "\u0627",  # alef wasla → alef
        "\u0629": "\u0647",  # taa marbuta → heh
        "\u0649": "\u064a",  # alef maqsura → yeh
        "\u06cc": "\u064a",  # Farsi/Kurdish yeh → yeh
        "\u06d2": "\u064a",  # yeh barree → yeh
        "\u06a9": "\u0643",  # keheh → kaf
        "\u06be": "\u0647",  # heh doachashmee → heh
        "\u06d5": "\u0647",  # Kurdish ae → heh
        "\u06c1": "\u0647",  # heh goal → heh
        "\u0640": None,  # tatweel
        "\u200c": None,  # zero-width non-joiner (Persian, Kurdish)
        "\u200d": None,  # zero-width joiner
        "\u200b": None,  # zero-width space
        "\ufeff": None,  # byte-order mark
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # extended (Persian, Kurdish) digits
        # Bidirectional controls: marks, embeddings, overrides and isolates carry no letters.
        **{chr(c): None for c in (0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A))},
    }
)
_COMBINING = {cp: None for cp in range(0x0300, 0x10000) if unicodedata.combining(chr(cp))}
_FOLDED = {**_COMBINING, **_LETTERS}
_ARABIC_LETTER = re.compile(r"[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]")
_WORD = re.compile(r"\w+")

_ARTICLE = "\u0627\u0644"  # ال
_CONJUNCTIONS = ("\u0648", "\u0641")  # و ف
_PREPOSITIONS = ("\u0628", "\u0644", "\u0643")  # ب ل ك
_LAM_LAM = "\u0644\u0644"  # لل: ل + ال
# What must be left of a word after a prefix comes off. Stripping too much only merges words that
# differ (both sides are stemmed alike, so nothing is missed); too little misses a match. After the
# article three letters; after a bare conjunction four ("وزير" stays); after a bare preposition five
# ("بغداد", "لبنان", "كركوك" stay, "بكركوك" → "كركوك").
_MIN_AFTER_ARTICLE = 3
_MIN_AFTER_CONJUNCTION = 4
_MIN_AFTER_PREPOSITION = 5


def normalise(text: str) -> str:
    """The text with the variants above folded; words and spaces are kept where they were."""
    if not text:
        return ""
    # Combining marks (Latin accents, Arabic harakat, hamza and madda above and below, Quranic
    # marks) go with the letter variants, in one translate.
    bare = unicodedata.normalize("NFKD", text).translate(_FOLDED)
    return unicodedata.normalize("NFC", bare).casefold()


def is_arabic_script(word: str) -> bool:
    return bool(_ARABIC_LETTER.search(word or ""))


# Cached: matching stems every word of every candidate claim and document (the same words again and again).
@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """One normalised word without its attached prefixes (see the module's docstring). A word not in
    Arabic script comes back as it is."""
    if not is_arabic_script(word):
        return word
    rest = word
    if rest[:1] in _CONJUNCTIONS and (_article_length(rest[1:]) or len(rest) - 1 >= _MIN_AFTER_CONJUNCTION):
        rest = rest[1:]
    if article := _article_length(rest):
        return rest[article:]
    if rest[:1] in _PREPOSITIONS and len(rest) - 1 >= _MIN_AFTER_PREPOSITION:
        return rest[1:]
    return rest


def _article_length(rest: str) -> int:
    """How many letters of the article (with a preposition before it) begin the word: ال 2, بال كال 3,
    لل 2; 0 when none, or when too little would be left."""
    for prefix in (_ARTICLE, *(p + _ARTICLE for p in _PREPOSITIONS if p != "\u0644"), _LAM_LAM):
        if rest.startswith(prefix) and len(rest) - len(prefix) >= _MIN_AFTER_ARTICLE:
            return len(prefix)
    return 0


def words(text: str) -> list[str]:
    """The normalised words of a text, in order."""
    return _WORD.findall(normalise(text))


def search_terms(text: str) -> list[str]:
    """What a query word is matched by: each normalised word of the text, stemmed, in order, once."""
    return list(dict.fromkeys(stem(word) for word in words(text)))


def searchable_text(*texts: str) -> str:
    """What is stored to be searched: the texts normalised, then the stem of every Arabic-script word
    that had a prefix, so whole-word (full-text) matching finds "الشرطه" in "والشرطه" too. Substring
    search of a stemmed query needs only the first part; the stems are for the full-text indexes."""
    normalised = [normalise(t) for t in texts if t]
    stems = []
    for text in normalised:
        for word in _WORD.findall(text):
            stemmed = stem(word)
            if stemmed != word:
                stems.append(stemmed)
    return "\n".join([*normalised, " ".join(dict.fromkeys(stems))]).strip()
