"""Word-level differences between two revisions of a document, for the document page."""

import difflib
from dataclasses import dataclass

EQUAL, INSERTED, DELETED = "equal", "inserted", "deleted"


@dataclass
class Segment:
    kind: str  # equal, inserted or deleted
    text: str


def word_diff(old: str, new: str) -> list[Segment]:
    """The new text as a sequence of unchanged, inserted and deleted runs of words."""
    old_words, new_words = old.split(), new.split()
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    segments = []
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            segments.append(Segment(EQUAL, " ".join(new_words[new_start:new_end])))
            continue
        if operation in ("delete", "replace"):
            segments.append(Segment(DELETED, " ".join(old_words[old_start:old_end])))
        if operation in ("insert", "replace"):
            segments.append(Segment(INSERTED, " ".join(new_words[new_start:new_end])))
    return segments
