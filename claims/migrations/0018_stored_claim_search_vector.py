from django.db import migrations

# Matching's candidate query (claims.search.POSTGRESQL_QUERY) ranks every claim sharing a word with
# the document. With only the expression index of migration 0005 PostgreSQL re-parsed each of those
# claims' text twice per query (the bitmap recheck and ts_rank): 25,000 claims and 100 ms for a
# document with common words at 100,000 claims. A stored generated column keeps the same
# to_tsvector('english', text) on the row, indexed, so both read it instead. PostgreSQL only and not
# a model field: SQLite has its FTS5 table (claims.search), and the ORM never selects the column.
# Frozen here: claims.search queries the column by this name. PostgreSQL refuses to change the type
# of `text` while the column depends on it: a later AlterField to another type drops it first.
# Adding the column rewrites claims_claim once (a second or so at 100,000 claims).
POSTGRESQL_SETUP = [
    "ALTER TABLE claims_claim ADD COLUMN IF NOT EXISTS text_search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, text)) STORED",
    # fastupdate off as in 0005: claims are written rarely and searched for every article.
    "CREATE INDEX IF NOT EXISTS claims_claim_text_search_vector ON claims_claim "
    "USING gin (text_search_vector) WITH (fastupdate = off)",
    # 0005's expression index: nothing queries the expression any more.
    "DROP INDEX IF EXISTS claims_claim_text_search",
    "ANALYZE claims_claim",
]
POSTGRESQL_TEARDOWN = [
    "CREATE INDEX IF NOT EXISTS claims_claim_text_search ON claims_claim "
    "USING gin (to_tsvector('english', text)) WITH (fastupdate = off)",
    "DROP INDEX IF EXISTS claims_claim_text_search_vector",
    "ALTER TABLE claims_claim DROP COLUMN IF EXISTS text_search_vector",
]


def add_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_SETUP:
            schema_editor.execute(statement)


def remove_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_TEARDOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("claims", "0017_search_indexes")]

    operations = [migrations.RunPython(add_search_vector, remove_search_vector)]
