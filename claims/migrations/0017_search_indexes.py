from django.db import migrations

# Frozen here: the expressions Django generates for claims.selectors.search_claims and
# similar_claims on PostgreSQL (icontains is UPPER(col::text) LIKE UPPER(...); the websearch match
# is the 'simple' SearchVector of text and summary). An index is used only when its expression
# equals the query's, so keep them equal. pg_trgm extracts trigrams from any script's letters
# (Arabic and Kurdish included under the cluster's C.UTF-8 ctype), so substring and prefix search
# stay what they were, only indexed.
POSTGRESQL_SETUP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS claims_claim_text_trgm ON claims_claim USING gin (UPPER(text::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS claims_claim_summary_trgm ON claims_claim "
    "USING gin (UPPER(summary::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS claims_claim_simple_search ON claims_claim USING gin "
    "(to_tsvector('simple'::regconfig, COALESCE(text, '') || ' ' || COALESCE(summary, '')))",
    # The claim list: newest activity first among the claims not merged away.
    "CREATE INDEX IF NOT EXISTS claims_claim_listed_by_activity ON claims_claim "
    "(last_activity_at DESC, id DESC) WHERE merged_into_id IS NULL",
    "CREATE INDEX IF NOT EXISTS claims_claim_listed_by_status ON claims_claim "
    "(status, last_activity_at DESC, id DESC) WHERE merged_into_id IS NULL",
    # Statistics of the new expressions: without them the planner guesses a rare word is common
    # and walks the activity index instead of the trigram ones (5.7 s instead of 3 ms at 100k claims).
    "ANALYZE claims_claim",
]
POSTGRESQL_TEARDOWN = [
    "DROP INDEX IF EXISTS claims_claim_listed_by_status",
    "DROP INDEX IF EXISTS claims_claim_listed_by_activity",
    "DROP INDEX IF EXISTS claims_claim_simple_search",
    "DROP INDEX IF EXISTS claims_claim_summary_trgm",
    "DROP INDEX IF EXISTS claims_claim_text_trgm",
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_SETUP:
            schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_TEARDOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("claims", "0016_notify_once_per_event")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
