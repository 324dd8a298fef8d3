"""claimtrack.lib.languages: the language of real news snippets, offline, Sorani never Arabic or Persian."""

import socket
import time

import pytest

from claimtrack.lib import languages
from claimtrack.lib.languages import detect_language, is_language_tag, primary_language

# News sentences as the newsroom's sources write them, most about Kirkuk.
ARABIC = [
    "أعلنت السلطات في كركوك فرض حظر التجوال في المدينة بعد اشتباكات بين قوات الأمن ومتظاهرين مساء الثلاثاء.",
    "نفت وزارة الداخلية العراقية صحة الأنباء المتداولة عن انسحاب الشرطة الاتحادية من كركوك.",
    "قال محافظ كركوك إن الانتخابات ستجري في موعدها",
]
SORANI = [
    "هێزەکانی پێشمەرگە ڕایانگەیاند کە لە دەوروبەری کەرکووک پەلاماری چەکدارانیان داوەتەوە.",
    "حکومەتی هەرێمی کوردستان ڕایگەیاند کە مووچەی فەرمانبەران لە هەفتەی داهاتوودا دابەش دەکرێت.",
    "ئەو هەواڵەی لە تۆڕە کۆمەڵایەتییەکان بڵاوبووەتەوە ڕاست نییە",
    "پارێزگاری کەرکووک گوتی هەڵبژاردن لە کاتی خۆیدا دەکرێت",
    "وەزارەتی تەندروستی ژمارەی توشبووان ڕاگەیاند",
    "مووچەی فەرمانبەران",
]
PERSIAN = [
    "مقام‌های عراقی اعلام کردند که در پی درگیری‌های شب گذشته در کرکوک، مقررات منع آمد و شد در این شهر برقرار شده است.",
    "وزارت کشور عراق خبر عقب‌نشینی پلیس فدرال از کرکوک را تکذیب کرد.",
    "استاندار کرکوک گفت انتخابات در موعد مقرر برگزار می‌شود",
]
TURKISH = [
    "Kerkük'te salı akşamı güvenlik güçleri ile göstericiler arasında çıkan çatışmaların ardından sokağa çıkma "
    "yasağı ilan edildi.",
    "Irak İçişleri Bakanlığı, federal polisin Kerkük'ten çekildiği iddialarını yalanladı.",
    "Kerkük valisi seçimlerin zamanında yapılacağını söyledi",
]
ENGLISH = [
    "Authorities in Kirkuk imposed a curfew on Tuesday evening after clashes between security forces and protesters.",
    "Iraq's interior ministry denied reports that federal police had withdrawn from Kirkuk.",
    "KIRKUK GOVERNOR SAYS ELECTIONS WILL BE HELD ON TIME",
]
KURMANJI = [
    "Hêzên ewlehiyê li Kerkûkê piştî pevçûnên di navbera xwepêşanderan û polîsan de qedexeya derketina derve ragihand.",
    "Wezareta Navxweyî ya Iraqê nûçeyên ku polîsên federal ji Kerkûkê vekişiyane red kir.",
    "Parêzgarê Kerkûkê got hilbijartin dê di wextê xwe de pêk werin",
]


@pytest.mark.parametrize(
    ("snippets", "expected"),
    [(ARABIC, "ar"), (PERSIAN, "fa"), (TURKISH, "tr"), (ENGLISH, "en")],
    ids=["arabic", "persian", "turkish", "english"],
)
def test_news_sentences_are_detected_in_their_language(snippets, expected):
    assert [detect_language(s) for s in snippets] == [expected] * len(snippets)


@pytest.mark.parametrize("snippet", SORANI, ids=[f"sorani-{n}" for n in range(len(SORANI))])
def test_sorani_snippet_is_detected_as_central_kurdish_not_persian_or_arabic(snippet):
    assert detect_language(snippet) == "ckb"


@pytest.mark.parametrize("snippet", KURMANJI, ids=[f"kurmanji-{n}" for n in range(len(KURMANJI))])
def test_latin_script_kurmanji_is_detected_as_ku(snippet):
    assert detect_language(snippet) == "ku"


def test_sorani_letters_decide_when_the_model_leans_to_a_neighbour(monkeypatch):
    # Whatever the model says of Arabic-script text full of ڕ ڵ ۆ ێ ە, it is stored as Sorani.
    class LeaningDetector:
        def detect(self, text, **kwargs):
            return [{"lang": "fa", "score": 0.9}]

    monkeypatch.setattr(languages, "_model", LeaningDetector())
    assert detect_language(SORANI[3]) == "ckb"
    assert detect_language(PERSIAN[0]) == "fa"  # no Sorani letters: the model's answer stands


def test_kurdish_the_model_calls_ku_in_arabic_script_is_sorani(monkeypatch):
    class KurdishDetector:
        def detect(self, text, **kwargs):
            return [{"lang": "ku", "score": 0.5}]

    monkeypatch.setattr(languages, "_model", KurdishDetector())
    assert detect_language("كوردستان و عێراق و ئێران و تورکیا") == "ckb"
    assert detect_language(KURMANJI[0]) == "ku"


def test_a_kurdish_place_name_in_an_arabic_article_does_not_make_it_sorani():
    text = (
        "قال محافظ كركوك إن الانتخابات ستجري في موعدها، وإن الأوضاع في أربيل والسليمانية وهەولێر مستقرة تماما "
        "بحسب المصادر الأمنية"
    )
    assert detect_language(text) == "ar"


def test_uyghur_keeps_its_own_language_though_it_shares_letters_with_sorani():
    assert detect_language("ئۇيغۇر تىلى تۈركىي تىللار ئائىلىسىگە مەنسۇپ بىر تىل") == "ug"


def test_urdu_with_its_aspirated_letters_is_not_taken_for_sorani():
    assert detect_language("پاکستان کے وزیر اعظم نے کہا کہ حکومت عوام کی بھلائی کے لیے کام کر رہی ہے") == "ur"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        None,
        "!!! ... ؟؟ — «»",
        "Kirkuk",
        "OK",
        "12:30 2024-05-01 ٢٠٢٤",
        "https://example.org/a/b/c",
        "كركوك",
    ],
)
def test_short_empty_or_punctuation_only_input_has_no_language(text):
    assert detect_language(text) == ""


def test_an_arabic_quote_in_an_english_story_leaves_it_english():
    text = "The governor of Kirkuk, quoted as saying «الانتخابات ستجري في موعدها», denied the reports on Tuesday."
    assert detect_language(text) == "en"


def test_a_sorani_story_naming_a_latin_script_outlet_stays_sorani():
    text = "بەپێی ڕاپۆرتی Reuters، هێزەکانی پۆلیسی فیدراڵ بنکەکانیان لە کەرکووک چۆڵ کردووە و گەڕاونەتەوە"
    assert detect_language(text) == "ckb"


def test_mixed_script_input_takes_the_language_of_its_main_script():
    assert detect_language(f"{ENGLISH[0]} {SORANI[0][:20]}") == "en"
    assert detect_language(f"{SORANI[0]} {SORANI[1]} Kirkuk, Erbil") == "ckb"


def test_a_long_article_is_read_from_its_start_and_stays_fast():
    article = " ".join(ARABIC * 200)
    assert detect_language(article) == "ar"
    started = time.perf_counter()
    for _ in range(50):
        detect_language(article)
    assert (time.perf_counter() - started) / 50 < 0.05  # well under 50 ms each (about 3 ms here)


def test_the_model_is_in_the_wheel_and_loads_without_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("language detection tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(languages, "_model", None)  # load it again, now
    assert detect_language(SORANI[0]) == "ckb"
    loaded = languages._model
    assert detect_language(ARABIC[0]) == "ar"
    assert languages._model is loaded  # loaded once


@pytest.mark.parametrize(
    ("declared", "expected"),
    [("en-US", "en"), ("ar_IQ", "ar"), ("AR", "ar"), ("ckb", "ckb"), ("", ""), (None, ""), ("english please", "")],
)
def test_a_declared_page_language_becomes_its_primary_subtag(declared, expected):
    assert primary_language(declared) == expected


@pytest.mark.parametrize(
    ("value", "valid"),
    [("ar", True), ("ckb", True), ("en-GB", True), ("zh-Hant-TW", True), ("x" * 200, False), ("en\x1b", False)],
)
def test_language_tags_are_short_and_plain(value, valid):
    assert is_language_tag(value) is valid
