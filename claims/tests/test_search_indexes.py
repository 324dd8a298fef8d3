"""Claim search on PostgreSQL goes through indexes (migration 0017) and still finds substrings and
prefixes in every script."""

import pytest
from django.db import connection

from claims.selectors import filtered_claim_list
from tests.factories import make_claim

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes"),
]

SEARCH_INDEXES = ("claims_claim_text_trgm", "claims_claim_summary_trgm", "claims_claim_simple_search")


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
