"""The sources directory (/sources/): search and filters, the counts of appearances and of claims
asserted then rated false, merged sources hidden, a fixed number of queries with 20,000 sources;
and the source pickers of the claim page, which must not list every source."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import selectors, services
from claims.models import ClaimStatus, Stance
from claims.tests.test_query_counts import PER_REQUEST  # what every newsroom page costs
from sources.models import Source
from tests import factories

pytestmark = pytest.mark.django_db

# Paginator count, the page of sources, their counts.
DIRECTORY_QUERIES = PER_REQUEST + 3


def listed_names(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'<td><a href="/sources/\d+/" dir="auto">([^<]*)</a></td>', response.content.decode())


@pytest.fixture
def directory(db):
    return {
        "rudaw": factories.SourceFactory(name="Rudaw", kind=Source.Kind.NEWS_OUTLET, country="IQ", language="ckb"),
        "rudaw_en": factories.SourceFactory(name="Rudaw English", country="IQ", language="en"),
        "mod": factories.SourceFactory(
            name="Ministry of Defence", kind=Source.Kind.OFFICIAL_BODY, country="IQ", language="ar-IQ"
        ),
        "anadolu": factories.SourceFactory(name="Anadolu Agency", country="TR", language="tr"),
    }


def test_directory_searches_names_by_any_part_in_any_case(as_journalist, directory):
    assert listed_names(as_journalist.get("/sources/", {"q": "RUDAW"})) == ["Rudaw", "Rudaw English"]
    assert listed_names(as_journalist.get("/sources/", {"q": "of def"})) == ["Ministry of Defence"]


def test_directory_filters_by_kind_country_and_language(as_journalist, directory):
    assert listed_names(as_journalist.get("/sources/", {"kind": "official_body"})) == ["Ministry of Defence"]
    assert listed_names(as_journalist.get("/sources/", {"country": "tr"})) == ["Anadolu Agency"]
    # A primary language finds its regional tags too ("ar" finds "ar-IQ"), not other languages.
    assert listed_names(as_journalist.get("/sources/", {"language": "ar"})) == ["Ministry of Defence"]
    assert listed_names(as_journalist.get("/sources/", {"country": "IQ", "language": "en"})) == ["Rudaw English"]


def test_directory_lists_everything_by_name_and_says_when_nothing_matches(as_journalist, directory):
    names = listed_names(as_journalist.get("/sources/"))
    assert names == ["Anadolu Agency", "Ministry of Defence", "Rudaw", "Rudaw English"]
    response = as_journalist.get("/sources/", {"q": "nothing like it"})
    assert "No sources match these filters." in response.content.decode()


def test_directory_refuses_an_unknown_kind_with_a_form_error(as_journalist, directory):
    response = as_journalist.get("/sources/", {"kind": "tabloid"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_directory_is_paginated(as_journalist):
    Source.objects.bulk_create([Source(name=f"Outlet {n:03}") for n in range(120)])
    first = listed_names(as_journalist.get("/sources/"))
    third = listed_names(as_journalist.get("/sources/", {"page": 3}))
    assert first[0] == "Outlet 000" and len(first) == 50
    assert third == [f"Outlet {n:03}" for n in range(100, 120)]


def test_directory_hides_merged_sources(as_journalist, directory, editor):
    services.merge_sources(
        absorbed=directory["rudaw_en"], into=directory["rudaw"], merged_by=editor, reason="The same outlet."
    )
    assert listed_names(as_journalist.get("/sources/", {"q": "rudaw"})) == ["Rudaw"]


def counts_row(response, name):
    """The directory's (appearances, asserted and rated false) for the source of that name."""
    html = response.content.decode()
    match = re.search(
        rf'dir="auto">{re.escape(name)}</a></td>.*?<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>', html, re.S
    )
    assert match, f"{name} not listed"
    return int(match[1]), int(match[2])


def test_directory_counts_accepted_unretracted_appearances_and_asserted_claims_rated_false(
    as_journalist, directory, editor, journalist
):
    rudaw, mod = directory["rudaw"], directory["mod"]
    ruled_false = factories.make_claim(text="The dam burst")
    misleading = factories.make_claim(text="The airport closed")
    verdict_false = factories.make_claim(text="The bridge fell")
    still_open = factories.make_claim(text="Curfew tonight")
    services.change_status(claim=ruled_false, to_status=ClaimStatus.FALSE, rationale="Site visit.", changed_by=editor)
    services.change_status(claim=misleading, to_status=ClaimStatus.MISLEADING, rationale="Old.", changed_by=editor)
    services.publish_verdict(claim=verdict_false, rating_name="Mostly false", author=editor)
    for claim in (ruled_false, misleading, verdict_false, still_open):
        factories.make_appearance(claim=claim, source=rudaw, stance=Stance.ASSERTS, recorded_by=journalist)
    factories.make_appearance(claim=ruled_false, source=rudaw, stance=Stance.ASSERTS, recorded_by=journalist)  # again
    # Neither counts: a denial of a false claim, a retracted assertion, a pending suggestion.
    factories.make_appearance(claim=ruled_false, source=mod, stance=Stance.DENIES, recorded_by=journalist)
    retracted = factories.make_appearance(claim=misleading, source=mod, stance=Stance.ASSERTS, recorded_by=journalist)
    services.retract_appearance(appearance=retracted, retracted_by=editor, reason="Wrong source.")
    factories.make_suggestion(claim=verdict_false, source=mod)

    response = as_journalist.get("/sources/")
    assert counts_row(response, "Rudaw") == (5, 3)
    assert counts_row(response, "Ministry of Defence") == (1, 0)
    assert counts_row(response, "Anadolu Agency") == (0, 0)


def test_a_later_verdict_decides_whether_the_claim_counts_as_rated_false(as_journalist, directory, editor):
    claim = factories.make_claim(text="The dam burst")
    factories.make_appearance(claim=claim, source=directory["rudaw"], stance=Stance.ASSERTS)
    services.publish_verdict(claim=claim, rating_name="False", author=editor)
    assert counts_row(as_journalist.get("/sources/"), "Rudaw") == (1, 1)
    services.publish_verdict(claim=claim, rating_name="True", author=editor)  # the current verdict is the newest
    assert counts_row(as_journalist.get("/sources/"), "Rudaw") == (1, 0)


def test_directory_and_source_page_agree_on_what_was_rated_false(as_journalist, directory, editor):
    rudaw = directory["rudaw"]
    for n, (status, rating) in enumerate(
        [(ClaimStatus.FALSE, None), (None, "False"), (None, "Unproven"), (ClaimStatus.CONFIRMED, "True"), (None, None)]
    ):
        claim = factories.make_claim(text=f"Claim {n}")
        if status:
            services.change_status(claim=claim, to_status=status, rationale="Ruled.", changed_by=editor)
        if rating:
            services.publish_verdict(claim=claim, rating_name=rating, author=editor)
        factories.make_appearance(claim=claim, source=rudaw, stance=Stance.ASSERTS)
    on_page = selectors.assertion_ratings(rudaw)["rated_false"]
    in_directory = selectors.with_source_counts([rudaw])[0].rated_false_count
    assert on_page == in_directory == 2


@pytest.mark.parametrize("sources", [1, 60])
def test_directory_runs_a_fixed_number_of_queries(as_journalist, journalist, sources, django_assert_max_num_queries):
    for n in range(sources):
        source = factories.SourceFactory(name=f"Outlet {n}")
        factories.make_appearance(source=source, recorded_by=journalist)
    with django_assert_max_num_queries(DIRECTORY_QUERIES):
        assert as_journalist.get("/sources/").status_code == 200
    with django_assert_max_num_queries(DIRECTORY_QUERIES):
        assert (
            as_journalist.get("/sources/", {"q": "outlet", "kind": "news_outlet", "country": "iq"}).status_code == 200
        )


@pytest.fixture
def twenty_thousand_sources(db):
    Source.objects.bulk_create(
        [Source(name=f"Outlet {n:05}", country="IQ" if n % 2 else "TR", language="ar") for n in range(20_000)],
        batch_size=2000,
    )


def count_queries(client, url, data=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data or {})
    assert response.status_code == 200
    return len(captured), response


def test_directory_with_20000_sources_shows_one_page_in_the_same_queries(as_journalist, twenty_thousand_sources):
    factories.SourceFactory(name="Zeta only")
    queries_all, response = count_queries(as_journalist, "/sources/", {"country": "IQ"})
    assert len(listed_names(response)) == 50
    assert "10000 sources" in response.content.decode()
    queries_one, response = count_queries(as_journalist, "/sources/", {"q": "zeta"})
    assert listed_names(response) == ["Zeta only"]
    assert queries_all == queries_one <= DIRECTORY_QUERIES


# The pickers ------------------------------------------------------------------------------------


def test_claim_page_with_20000_sources_lists_none_of_them_and_its_queries_do_not_grow(
    client, journalist, twenty_thousand_sources
):
    claim = factories.make_claim(created_by=journalist)
    client.force_login(journalist)
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "Outlet 0" not in html
    assert html.count("<option") < 50  # kinds, document kinds: never the sources
    assert 'list="source-choices"' in html and f'hx-get="{reverse("sources:source-search")}"' in html


def test_claim_page_queries_are_the_same_with_1_or_20000_sources(client, journalist):
    claim = factories.make_claim(created_by=journalist)
    factories.SourceFactory(name="The one source")
    client.force_login(journalist)
    queries_one, _response = count_queries(client, claim.get_absolute_url())
    Source.objects.bulk_create([Source(name=f"Outlet {n:05}") for n in range(20_000)], batch_size=2000)
    queries_many, response = count_queries(client, claim.get_absolute_url())
    assert queries_one == queries_many
    assert "Outlet 00001" not in response.content.decode()


def test_source_search_offers_at_most_twenty_names_starting_with_the_text_first(as_journalist, twenty_thousand_sources):
    factories.SourceFactory(name="Kurdistan 24 (Outlet 1 mirror)")
    response = as_journalist.get(reverse("sources:source-search"), {"q": "outlet 1"})
    values = re.findall(r'<option value="([^"]*)">', response.content.decode())
    assert len(values) == 20
    assert values[0] == "Outlet 10000" and "Kurdistan 24 (Outlet 1 mirror)" not in values
    # HTMX sends the input under its own name: that works as well as q.
    again = as_journalist.get(reverse("sources:source-search"), {"source_name": "outlet 1"})
    assert re.findall(r'<option value="([^"]*)">', again.content.decode()) == values
    assert as_journalist.get(reverse("sources:source-search"), {"q": ""}).content.decode().strip() == ""


def test_source_search_never_offers_a_merged_source(as_journalist, editor):
    kept, duplicate = factories.SourceFactory(name="Shafaq News"), factories.SourceFactory(name="Shafaq News Agency")
    services.merge_sources(absorbed=duplicate, into=kept, merged_by=editor, reason="Same outlet.")
    response = as_journalist.get(reverse("sources:source-search"), {"q": "shafaq"})
    assert re.findall(r'<option value="([^"]*)">', response.content.decode()) == ["Shafaq News"]


def post_appearance(client, claim, **fields):
    return client.post(
        reverse("claims:appearance-create", args=[claim.pk]), {"stance": "asserts", "quote": "It burst.", **fields}
    )


def test_a_source_typed_by_name_in_any_case_is_the_existing_source(as_journalist, claim):
    rudaw = factories.SourceFactory(name="Rudaw")
    response = post_appearance(as_journalist, claim, source_name="  rUDAW ")
    assert response.status_code == 302
    assert claim.appearances.get().source == rudaw
    assert Source.objects.filter(name__iexact="rudaw").count() == 1


def test_a_merged_source_typed_by_name_records_on_the_source_it_was_merged_into(as_journalist, claim, editor):
    kept, duplicate = factories.SourceFactory(name="Rudaw"), factories.SourceFactory(name="Rudaw Media Network")
    services.merge_sources(absorbed=duplicate, into=kept, merged_by=editor, reason="Same outlet.")
    assert post_appearance(as_journalist, claim, source_name="Rudaw Media Network").status_code == 302
    assert claim.appearances.get().source == kept


def test_an_unknown_source_name_is_refused_with_the_close_names_offered_and_nothing_saved(as_journalist, claim):
    factories.SourceFactory(name="Rudaw English")
    response = post_appearance(as_journalist, claim, source_name="Rudaw")
    html = response.content.decode()
    assert response.status_code == 400
    assert "No source is called “Rudaw”" in html
    assert '<option value="Rudaw English">' in html  # the datalist, filled without JavaScript
    assert not claim.appearances.exists()
    assert not Source.objects.filter(name="Rudaw").exists()


def test_a_new_source_is_still_created_by_its_own_name_field(as_journalist, claim):
    response = post_appearance(as_journalist, claim, new_source_name="Kirkuk Now", new_source_kind="news_outlet")
    assert response.status_code == 302
    assert claim.appearances.get().source.name == "Kirkuk Now"


def test_a_merged_source_cannot_be_recorded_on_by_id(claim, editor, journalist):
    kept, duplicate = factories.SourceFactory(name="Rudaw"), factories.SourceFactory(name="Rudaw TV")
    services.merge_sources(absorbed=duplicate, into=kept, merged_by=editor, reason="Same outlet.")
    with pytest.raises(services.ValidationError, match="merged into source"):
        services.record_appearance(claim=claim, source=duplicate, stance=Stance.ASSERTS, recorded_by=journalist)
    assert not claim.appearances.exists()


def test_the_review_edit_page_and_document_lookup_list_no_sources(as_journalist, twenty_thousand_sources):
    suggestion = factories.make_suggestion()
    html = as_journalist.get(reverse("claims:review-edit", args=[suggestion.pk])).content.decode()
    assert "Outlet 0" not in html
    lookup = as_journalist.get(reverse("sources:document-lookup"), {"document_url": "https://x.example/a"})
    assert "Outlet 0" not in lookup.content.decode()


def test_claim_list_filters_by_a_source_typed_by_name_and_lists_no_sources(as_journalist, twenty_thousand_sources):
    rudaw = factories.SourceFactory(name="Rudaw")
    sourced = factories.make_claim(text="Sourced claim")
    factories.make_claim(text="Other claim")
    factories.make_appearance(claim=sourced, source=rudaw)
    html = as_journalist.get("/claims/", {"source_name": "RUDAW"}).content.decode()
    assert "Sourced claim" in html and "Other claim" not in html
    assert "Outlet 0" not in html
    by_id = as_journalist.get("/claims/", {"source": rudaw.pk}).content.decode()  # links name the id
    assert "Sourced claim" in by_id and "Other claim" not in by_id
    unknown = as_journalist.get("/claims/", {"source_name": "Rud"}).content.decode()
    assert "No source is called “Rud”" in unknown and '<option value="Rudaw">' in unknown
