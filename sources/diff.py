"""Word-level differences between two revisions of a document, for the document page.

The work is bounded whatever the revisions' sizes (difflib's matcher is quadratic at worst, and a
30,000-word pair once took minutes). Paragraphs are compared first: the common first and last
paragraphs are set aside in linear time and at most MAX_PARAGRAPHS_COMPARED of the rest go to the
matcher. Words are compared only inside changed paragraphs (paired one to one when a run of changed
paragraphs has as many on each side), after their common first and last words
are set aside, and at most MAX_WORDS_COMPARED of them per revision pair; changed paragraphs beyond
that budget are shown whole, deleted then inserted, and the diff says so (`by_paragraph`).
"""

import difflib
from dataclasses import dataclass, field

EQUAL, INSERTED, DELETED = "equal", "inserted", "deleted"

# Enough for any ordinary rewrite of an article; the matcher's worst case on these is a fraction of
# a second (bench/diff.py).
MAX_PARAGRAPHS_COMPARED = 1000
MAX_WORDS_COMPARED = 4000


@dataclass
class Segment:
    kind: str  # equal, inserted or deleted
    text: str


@dataclass
class TextDiff:
    """The new text as a sequence of unchanged, inserted and deleted runs of words."""

    segments: list[Segment] = field(default_factory=list)
    words_compared: int = 0  # words given to the word-level matcher
    by_paragraph: bool = False  # some changed paragraphs were too long to compare word by word

    def add(self, kind: str, words: list[str]) -> None:
        if not words:
            return
        text = " ".join(words)
        if self.segments and self.segments[-1].kind == kind:
            self.segments[-1].text += " " + text
        else:
            self.segments.append(Segment(kind, text))


def word_diff(old: str, new: str) -> TextDiff:
    """The new text as a sequence of unchanged, inserted and deleted runs of words."""
    diff = TextDiff()
    old_paragraphs, new_paragraphs = _paragraphs(old), _paragraphs(new)
    start, old_end, new_end = _common_ends(old_paragraphs, new_paragraphs)
    diff.add(EQUAL, _words(new_paragraphs[:start]))
    old_middle, new_middle = old_paragraphs[start:old_end], new_paragraphs[start:new_end]
    if len(old_middle) + len(new_middle) > MAX_PARAGRAPHS_COMPARED:
        _diff_words(diff, _words(old_middle), _words(new_middle))
    else:
        matcher = difflib.SequenceMatcher(None, [" ".join(p) for p in old_middle], [" ".join(p) for p in new_middle])
        for operation, old_start, old_stop, new_start, new_stop in matcher.get_opcodes():
            if operation == "equal":
                diff.add(EQUAL, _words(new_middle[new_start:new_stop]))
            elif old_stop - old_start == new_stop - new_start:
                # As many paragraphs on each side: most likely each was edited, so each is compared
                # with its counterpart (cheap once their common ends are set aside).
                for old_paragraph, new_paragraph in zip(
                    old_middle[old_start:old_stop], new_middle[new_start:new_stop], strict=True
                ):
                    _diff_words(diff, old_paragraph, new_paragraph)
            else:
                _diff_words(diff, _words(old_middle[old_start:old_stop]), _words(new_middle[new_start:new_stop]))
    diff.add(EQUAL, _words(new_paragraphs[new_end:]))
    return diff


def _paragraphs(text: str) -> list[list[str]]:
    return [words for words in (line.split() for line in text.splitlines()) if words]


def _words(paragraphs: list[list[str]]) -> list[str]:
    return [word for paragraph in paragraphs for word in paragraph]


def _common_ends(old: list, new: list) -> tuple[int, int, int]:
    """How many first items the lists share, and where their shared last items begin in each."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    old_end, new_end = len(old), len(new)
    while old_end > start and new_end > start and old[old_end - 1] == new[new_end - 1]:
        old_end, new_end = old_end - 1, new_end - 1
    return start, old_end, new_end


def _diff_words(diff: TextDiff, old_words: list[str], new_words: list[str]) -> None:
    start, old_end, new_end = _common_ends(old_words, new_words)
    diff.add(EQUAL, new_words[:start])
    old_middle, new_middle = old_words[start:old_end], new_words[start:new_end]
    if diff.words_compared + len(old_middle) + len(new_middle) > MAX_WORDS_COMPARED:
        diff.by_paragraph = True
        diff.add(DELETED, old_middle)
        diff.add(INSERTED, new_middle)
    else:
        diff.words_compared += len(old_middle) + len(new_middle)
        matcher = difflib.SequenceMatcher(None, old_middle, new_middle, autojunk=False)
        for operation, old_start, old_stop, new_start, new_stop in matcher.get_opcodes():
            if operation == "equal":
                diff.add(EQUAL, new_middle[new_start:new_stop])
                continue
            if operation in ("delete", "replace"):
                diff.add(DELETED, old_middle[old_start:old_stop])
            if operation in ("insert", "replace"):
                diff.add(INSERTED, new_middle[new_start:new_stop])
    diff.add(EQUAL, new_words[new_end:])
