"""One normalisation of Arabic script (and Latin case and accents), the same for stored texts and
queries: claimtrack.lib.arabic."""

import pytest

from claimtrack.lib.arabic import normalise, search_terms, searchable_text, stem


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("إنسحاب", "انسحاب"),  # alef with hamza below
        ("أعلنت", "اعلنت"),  # alef with hamza above
        ("آلاف", "الاف"),  # alef with madda
        ("ٱلشرطة", "الشرطه"),  # alef wasla, taa marbuta
        ("مستشفى", "مستشفي"),  # alef maqsura
        ("مسؤول", "مسوول"),  # waw with hamza
        ("رئيس", "رييس"),  # yeh with hamza
        ("مُحَمَّدٌ", "محمد"),  # harakat, shadda, tanwin
        ("الشرطــــة", "الشرطه"),  # tatweel
        ("٣ آلاف و۱۲", "3 الاف و12"),  # Arabic-Indic and extended digits
        ("کەرکووک", "كهركووك"),  # Kurdish keheh and ae
        ("ھەولێر", "ههولێر"),  # heh doachashmee; ێ is a Kurdish letter of its own and stays
        ("پۆلیس", "پۆليس"),  # Farsi yeh; پ and ۆ stay
        ("می\u200cخواهم", "ميخواهم"),  # zero-width non-joiner
        ("İstanbul", "istanbul"),
        ("Peşmerge", "pesmerge"),
        ("abc\u202edef", "abcdef"),  # a right-to-left override carries no letters
    ],
)
def test_spelling_variants_fold_to_one_form(typed, stored):
    assert normalise(typed) == stored


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("والشرطة", "شرطه"),  # و + ال
        ("فالشرطة", "شرطه"),  # ف + ال
        ("بالشرطة", "شرطه"),  # ب + ال
        ("كالشرطة", "شرطه"),  # ك + ال
        ("للشرطة", "شرطه"),  # ل + ال contracted
        ("وللشرطة", "شرطه"),  # و + لل
        ("وبالانسحاب", "انسحاب"),  # و + ب + ال
        ("الانسحاب", "انسحاب"),
        ("بكركوك", "كركوك"),  # a bare preposition before a long word
        ("وبغداد", "بغداد"),  # a bare conjunction
        # Too short to be prefix plus word: the letters are the word's own.
        ("وزير", "وزير"),
        ("بيان", "بيان"),
        ("بغداد", "بغداد"),
        ("لبنان", "لبنان"),
        ("Kirkuk", "kirkuk"),  # not Arabic script: only case-folded
    ],
)
def test_attached_prefixes_come_off(word, expected):
    assert stem(normalise(word)) == expected


def test_a_query_and_the_stored_text_meet_whatever_the_spelling():
    stored = searchable_text("إنسحاب الشرطة الاتحادية من كركوك")
    for query in ("انسحاب", "إنسحاب", "والشرطة", "الشرطه", "بكركوك"):
        assert all(term in stored for term in search_terms(query)), query


def test_the_stored_text_carries_the_stems_of_prefixed_words_for_whole_word_search():
    stored = searchable_text("والشرطة الاتحادية", "summary")
    assert "شرطه" in stored.split() and "اتحاديه" in stored.split()
    assert "summary" in stored


def test_empty_and_punctuation_only_texts_give_nothing_to_search():
    assert normalise("") == ""
    assert search_terms("؟! …") == []
    assert searchable_text("", "") == ""
