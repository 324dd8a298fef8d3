"""Claim search on PostgreSQL goes through indexes on Claim.search_text (migrations 0017, 0024) and
still finds substrings and prefixes in every script; matching's candidate query reads the stored,
indexed search vector (migrations 0018, 0024) and ranks as re-analysing every claim's search text did."""

import pytest
from django.db import connection

from claims import search
from claims.models import Claim
from claims.selectors import filtered_claim_list
from claimtrack.lib import arabic
from tests.factories import make_claim

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes"),
]

SEARCH_INDEXES = ("claims_claim_search_text_trgm", "claims_claim_search_text_simple")


def test_the_search_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'claims_claim'")
        names = {row[0] for row in cursor.fetchall()}
    assert set(SEARCH_INDEXES) | {"claims_claim_listed_by_activity", "claims_claim_listed_by_status"} <= names


def test_an_arabic_word_is_found_inside_a_word_carrying_prefixes():
    claim = make_claim(text="انسحاب والشرطة من كركوك")
    make_claim(text="Federal police withdrew from Kirkuk")
    assert list(filtered_claim_list(query="الشرطة")) == [claim]


def test_a_kurdish_prefix_and_a_latin_prefix_are_found():
    kurdish = make_claim(text="پۆلیسەکان لە کەرکووک کشانەوە")
    latin = make_claim(text="Federal police withdrew from Kirkuk")
    assert list(filtered_claim_list(query="پۆلیس")) == [kurdish]
    assert list(filtered_claim_list(query="withdr")) == [latin]


def test_a_search_finds_the_same_claims_in_the_same_order_above_and_below_the_id_list_limit(monkeypatch):
    from claims import selectors

    claims = [make_claim(text=f"Checkpoint closed on road {n}") for n in range(6)]
    make_claim(text="Fuel prices rose in Basra")
    latest_activity_first = sorted(claims, key=lambda c: (c.last_activity_at, c.id), reverse=True)
    below = list(filtered_claim_list(query="checkpoint"))
    monkeypatch.setattr(selectors, "SEARCH_ID_LIST_LIMIT", 3)
    above = list(filtered_claim_list(query="checkpoint"))
    assert below == above == latest_activity_first


def test_websearch_syntax_is_still_accepted_with_the_id_list():
    phrase = make_claim(text="Federal police withdrew from Kirkuk")
    make_claim(text="Police said federal roads were closed")
    assert list(filtered_claim_list(query='"federal police"')) == [phrase]
    assert list(filtered_claim_list(query="police -federal")) == []


def test_matching_searches_a_stored_generated_vector_through_its_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attgenerated, pg_get_expr(adbin, adrelid) FROM pg_attribute"
            " JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum"
            " WHERE attrelid = 'claims_claim'::regclass AND attname = 'text_search_vector'"
        )
        [(generated, expression)] = cursor.fetchall()
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'claims_claim'")
        indexes = dict(cursor.fetchall())
    assert generated == "s"  # stored
    assert expression == "to_tsvector('english'::regconfig, search_text)"
    assert "gin (text_search_vector)" in indexes["claims_claim_text_search_vector"]
    assert "claims_claim_text_search" not in indexes  # 0005's expression index, replaced


def test_the_candidate_query_uses_the_vector_index():
    make_claim(text="Federal police withdrew from Kirkuk")
    Claim.objects.bulk_create(Claim(text=f"Fuel prices rose in Basra ({n})", slug=f"fuel-{n}") for n in range(500))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")  # so that the planner knows the words are rare
        cursor.execute("SET LOCAL enable_seqscan = off")  # still a small table
        cursor.execute("EXPLAIN " + search.POSTGRESQL_QUERY, ["police | kirkuk", "police | kirkuk", 20])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "claims_claim_text_search_vector" in plan
    assert "to_tsvector" not in plan


def test_candidates_rank_as_when_every_claims_text_was_analysed_at_query_time():
    texts = [
        "Federal police withdrew from Kirkuk",
        "Police police police in Kirkuk",
        "Kirkuk checkpoints were empty on Friday",
        "The army withdrew troops from Mosul",
        "Police withdrew from the checkpoints of Kirkuk and Erbil",
        "Erbil SC signed a new striker",
        "Federal police withdrew from Kirkuk",  # a tie: the newer claim first
    ]
    for text in texts:
        make_claim(text=text)
    words = ["police", "kirkuk", "withdrawn", "checkpoints", "federal"]
    query = " | ".join(words)
    reanalysed = search.POSTGRESQL_QUERY.replace("text_search_vector", "to_tsvector('english', search_text)")
    with connection.cursor() as cursor:
        cursor.execute(reanalysed, [query, query, 5])
        expected = [row[0] for row in cursor.fetchall()]
    assert len(expected) == 5
    assert search.candidate_claim_ids(words, limit=5) == expected


def test_plain_words_still_find_what_only_the_full_text_match_finds():
    # UPPER('i') is 'I' but UPPER('İ') is 'İ': the substring match misses, the full-text one does not.
    turkish = make_claim(text="İstanbul police deny the report")
    joined = make_claim(text="Checkpoint road_12 closed")
    assert list(filtered_claim_list(query="istanbul")) == [turkish]
    assert list(filtered_claim_list(query="road 12")) == [joined]


def test_the_search_of_a_rare_word_reads_the_trigram_index_of_the_search_text():
    make_claim(text="انسحاب الشرطة الاتحادية من كركوك")
    Claim.objects.bulk_create(
        Claim(text=f"Fuel prices rose in Basra ({n})", slug=f"fuel-{n}", search_text=f"fuel prices rose in basra ({n})")
        for n in range(500)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
        cursor.execute("SET LOCAL enable_seqscan = off")
        # The first step of search_claims: the ids of the matches.
        matches = Claim.objects.filter(search_text__contains=arabic.search_terms("والشرطة")[0]).order_by().values("id")
        sql, params = matches.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "claims_claim_search_text_trgm" in plan
