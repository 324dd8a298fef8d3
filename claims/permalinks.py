"""Where an item of a claim is shown: its anchor on the claim page, and what follows the claim's
address in its permalink. No imports of the domain: models, selectors and notifications all use it."""


def anchor(kind: str, pk: int) -> str:
    """The fragment of an item's permalink on the claim page: `appearance-12`, `status-change-3`,
    `evidence-7`."""
    return f"{kind.replace('_', '-')}-{pk}"


def permalink_suffix(kind: str, pk: int) -> str:
    """What follows the claim page's address in an item's permalink. An appearance (or its
    evidence) may be outside the newest ones a long timeline shows (claim_page_timeline): its
    permalink names it in the query too, which the server sees, so the page includes it."""
    fragment = anchor(kind, pk)
    if kind in ("appearance", "evidence"):
        return f"?event={fragment}#{fragment}"
    return f"#{fragment}"
