"""The stance app reads a document against claim texts given by id; it needs no database and knows
nothing of claims beyond their texts."""

from stance.reading import DocumentReading, read_document
from tests.services import require_stance_model

DENIAL_TITLE = "Baghdad says no withdrawal of federal police from Kirkuk"
DENIAL_TEXT = """Iraq's Ministry of Defence on Saturday rejected reports that federal police had withdrawn from Kirkuk.

In a statement, the ministry called the reports fabricated and said security forces had not left their stations."""
CLAIMS = {7: "Federal police withdrew from Kirkuk", 9: "Erbil SC signed a new striker from Zakho"}


def test_a_denial_is_read_as_denying_the_claim_it_speaks_to_and_unrelated_to_the_other():
    require_stance_model()
    reading = read_document(title=DENIAL_TITLE, text=DENIAL_TEXT)

    stances = reading.stances_towards(CLAIMS)

    assert list(stances) == [7]
    assert stances[7].label == "denies"
    assert 0 < stances[7].confidence <= 1
    assert stances[7].evidence in DENIAL_TITLE + DENIAL_TEXT


def test_search_words_are_the_documents_distinctive_words():
    require_stance_model()
    words = read_document(title=DENIAL_TITLE, text=DENIAL_TEXT).search_words(limit=5)

    assert "kirkuk" in words
    assert not {"the", "and", "had"} & set(words)


def test_without_a_model_claims_sharing_most_of_their_words_are_kept_with_no_stance():
    reading = DocumentReading(title=DENIAL_TITLE, text=DENIAL_TEXT, model=None)

    assert reading.stances_towards(CLAIMS) == {7: None}
    assert "kirkuk" in reading.search_words()
