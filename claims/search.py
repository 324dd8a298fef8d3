"""Full-text search of tracked claims, the first step of matching a document to claims.

The database does the searching, over Claim.search_text (the text, summary and every wording,
normalised for Arabic script and case, with Arabic prefixes stemmed: claimtrack.lib.arabic): on
PostgreSQL a GIN index on the stored column text_search_vector, generated as
to_tsvector('english', search_text) (migrations 0018, 0024; not a model field), on SQLite an FTS5
table kept in step with claims_claim by triggers. Either way the question is "which non-archived,
unmerged claims share the most (stemmed) words with these words", ranked by the database's own
relevance function. Other databases fall back to a scan in Python.

SQLite's triggers live on the claims_claim table, and Django's SQLite schema editor rebuilds a table
(dropping its triggers) for some later migrations; so they are (re)created, and the FTS table rebuilt,
after every `migrate` (post_migrate, see apps.py) rather than only once in a migration.
"""

import logging

from django.db import OperationalError, connection

from stance.reading import word_stems

from .models import Claim

logger = logging.getLogger(__name__)

# The FTS5 table indexes search_text (claimtrack.lib.arabic: text, summary and wordings, normalised,
# Arabic prefixes stemmed). Until migration 0024 it indexed text under the name claims_claim_fts:
# that table and its triggers are dropped.
SQLITE_SETUP = [
    "DROP TRIGGER IF EXISTS claims_claim_fts_insert",
    "DROP TRIGGER IF EXISTS claims_claim_fts_delete",
    "DROP TRIGGER IF EXISTS claims_claim_fts_update",
    "DROP TABLE IF EXISTS claims_claim_fts",
    "CREATE VIRTUAL TABLE IF NOT EXISTS claims_claim_search USING fts5("
    "search_text, content='claims_claim', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER IF NOT EXISTS claims_claim_search_insert AFTER INSERT ON claims_claim BEGIN "
    "INSERT INTO claims_claim_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS claims_claim_search_delete AFTER DELETE ON claims_claim BEGIN "
    "INSERT INTO claims_claim_search(claims_claim_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS claims_claim_search_update AFTER UPDATE OF search_text ON claims_claim BEGIN "
    "INSERT INTO claims_claim_search(claims_claim_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO claims_claim_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO claims_claim_search(claims_claim_search) VALUES ('rebuild')",
]

# Uses the GIN index claims_claim_text_search_vector on the stored vector (migration 0018): the bitmap
# recheck and ts_rank read the row's vector instead of re-parsing the text of every claim sharing a word.
POSTGRESQL_QUERY = """
    SELECT id FROM claims_claim
    WHERE NOT is_archived AND merged_into_id IS NULL AND text_search_vector @@ to_tsquery('english', %s)
    ORDER BY ts_rank(text_search_vector, to_tsquery('english', %s)) DESC, id DESC
    LIMIT %s
"""
SQLITE_QUERY = """
    SELECT claims_claim.id FROM claims_claim_search
    JOIN claims_claim ON claims_claim.id = claims_claim_search.rowid
    WHERE claims_claim_search MATCH %s AND NOT claims_claim.is_archived AND claims_claim.merged_into_id IS NULL
    ORDER BY bm25(claims_claim_search), claims_claim.id DESC
    LIMIT %s
"""


def ensure_sqlite_search(using_connection) -> None:
    """Create the FTS5 table and its triggers if missing, and rebuild the index from claims_claim.
    An SQLite built without FTS5 gets a warning, and matching scans the claims instead."""
    try:
        with using_connection.cursor() as cursor:
            for statement in SQLITE_SETUP:
                cursor.execute(statement)
    except OperationalError as error:
        logger.warning("SQLite full-text search (FTS5) is unavailable (%s); matching will scan claims.", error)


def _safe_words(words) -> list[str]:
    # The tokenizer yields letters and digits only; keep it that way so no word is query syntax.
    return [w for w in dict.fromkeys(words) if w and w.isalnum()]


def candidate_claim_ids(words: list[str], *, limit: int) -> list[int]:
    """Ids of up to `limit` non-archived claims sharing words with `words`, most relevant first;
    never a claim merged into another (the survivor is matched instead)."""
    words = _safe_words(words)
    if not words or limit <= 0:
        return []
    if connection.vendor == "postgresql":
        query = " | ".join(words)
        with connection.cursor() as cursor:
            cursor.execute(POSTGRESQL_QUERY, [query, query, limit])
            return [row[0] for row in cursor.fetchall()]
    if connection.vendor == "sqlite" and _sqlite_has_search():
        query = " OR ".join(f'"{w}"' for w in words)
        with connection.cursor() as cursor:
            cursor.execute(SQLITE_QUERY, [query, limit])
            return [row[0] for row in cursor.fetchall()]
    return _scan_candidates(words, limit)


def _sqlite_has_search() -> bool:
    return "claims_claim_search" in connection.introspection.table_names()


def _scan_candidates(words: list[str], limit: int) -> list[int]:
    """Any other database: count shared words claim by claim (fine for small installations)."""
    wanted = word_stems(" ".join(words))
    scored = []
    for claim_id, text in (
        Claim.objects.filter(is_archived=False, merged_into__isnull=True).values_list("id", "search_text").iterator()
    ):
        shared = len(wanted & word_stems(text))
        if shared:
            scored.append((-shared, -claim_id))
    return [-claim_id for _shared, claim_id in sorted(scored)[:limit]]
