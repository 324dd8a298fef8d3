"""The document page's diff does bounded work whatever the revisions' sizes (sources.diff): large
changes are compared word by word up to a budget and shown paragraph by paragraph beyond it, and
no word of either revision is lost from the page."""

import random

import pytest

from sources import diff
from sources.diff import DELETED, EQUAL, INSERTED, word_diff
from sources.services import record_revision
from tests.factories import DocumentFactory
from tests.web_pages import PARAGRAPHS

VOCABULARY = " ".join(PARAGRAPHS).split()


def long_text(seed, words=30_000, paragraph_words=60):
    rng = random.Random(seed)
    chosen = [rng.choice(VOCABULARY) for _ in range(words)]
    return "\n\n".join(" ".join(chosen[i : i + paragraph_words]) for i in range(0, words, paragraph_words))


def sides(changes):
    old = " ".join(s.text for s in changes.segments if s.kind in (EQUAL, DELETED)).split()
    new = " ".join(s.text for s in changes.segments if s.kind in (EQUAL, INSERTED)).split()
    return old, new


def test_two_unrelated_30000_word_revisions_compare_a_bounded_number_of_words_and_lose_none():
    old, new = long_text(1), long_text(2)

    changes = word_diff(old, new)

    assert changes.words_compared <= diff.MAX_WORDS_COMPARED
    assert changes.by_paragraph
    assert sides(changes) == (old.split(), new.split())


def test_one_changed_word_in_30000_is_still_shown_word_by_word():
    old = long_text(1)
    words = old.split(" ")
    words[15_000] = "denied"
    new = " ".join(words)

    changes = word_diff(old, new)

    assert not changes.by_paragraph
    assert [s.kind for s in changes.segments] == [EQUAL, DELETED, INSERTED, EQUAL]
    assert changes.segments[2].text == "denied"
    assert sides(changes) == (old.split(), new.split())


def test_a_30000_word_single_paragraph_rewrite_is_shown_whole_within_the_budget():
    old, new = long_text(1, paragraph_words=30_000), long_text(2, paragraph_words=30_000)

    changes = word_diff(old, new)

    assert changes.words_compared <= diff.MAX_WORDS_COMPARED
    assert changes.by_paragraph
    assert sides(changes) == (old.split(), new.split())


@pytest.mark.django_db
def test_the_document_page_of_two_30000_word_revisions_says_it_compared_by_paragraph(client, journalist):
    document = DocumentFactory(title="Long report")
    record_revision(document=document, title="Long report", text=long_text(1))
    record_revision(document=document, title="Long report", text=long_text(2))
    client.force_login(journalist)

    response = client.get(f"/sources/documents/{document.pk}/")

    assert response.status_code == 200
    assert "too large to compare word by word" in response.content.decode()
