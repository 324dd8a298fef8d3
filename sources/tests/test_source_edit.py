"""Editing a source: journalists correct its name, home page, country and language; editors its
kind too. One service (sources.services.update_source) for the page and the admin; bad input is a
form error and changes nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from claims import services as claim_services
from sources import services
from sources.models import Source
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(db):
    return factories.SourceFactory(name="Rudaw", kind=Source.Kind.NEWS_OUTLET, country="IQ", language="ckb")


def edit(client, source, **fields):
    data = {"name": source.name, "homepage": source.homepage, "country": source.country, "language": source.language}
    return client.post(reverse("sources:source-edit", args=[source.pk]), {**data, **fields})


def test_journalist_corrects_name_homepage_country_and_language(as_journalist, source, journalist):
    response = edit(
        as_journalist,
        source,
        name=" Rudaw Media Network ",
        homepage="https://www.rudaw.net/",
        country="iq",
        language="ar",
    )
    assert response.status_code == 302 and response["Location"] == source.get_absolute_url()
    source.refresh_from_db()
    assert (source.name, source.homepage, source.country, source.language) == (
        "Rudaw Media Network",
        "https://www.rudaw.net/",
        "IQ",
        "ar",
    )
    assert source.history.first().history_user == journalist  # in the audit trail, by who


def test_journalist_sees_no_kind_field_and_cannot_change_the_kind(as_journalist, source):
    page = as_journalist.get(reverse("sources:source-edit", args=[source.pk])).content.decode()
    assert 'name="kind"' not in page
    assert edit(as_journalist, source, kind=Source.Kind.OFFICIAL_BODY).status_code == 302
    source.refresh_from_db()
    assert source.kind == Source.Kind.NEWS_OUTLET


def test_editor_changes_the_kind(as_editor, source):
    assert 'name="kind"' in as_editor.get(reverse("sources:source-edit", args=[source.pk])).content.decode()
    assert edit(as_editor, source, kind=Source.Kind.ORGANISATION).status_code == 302
    source.refresh_from_db()
    assert source.kind == Source.Kind.ORGANISATION


def test_an_outsider_cannot_edit(as_outsider, source):
    assert edit(as_outsider, source, name="Hijacked").status_code == 403
    source.refresh_from_db()
    assert source.name == "Rudaw"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "  "}, "name", "This field is required."),
        ({"name": "RUDAW english"}, "name", "There is already a source called “Rudaw English”."),
        ({"country": "XX"}, "country", "two-letter ISO 3166 country code"),
        ({"country": "I"}, "country", "two-letter ISO 3166 country code"),
        ({"homepage": "ftp://rudaw.net/"}, "homepage", "http:// or https://"),
        ({"homepage": "javascript:alert(1)"}, "homepage", "http:// or https://"),
        ({"language": "not a tag!"}, "language", "language tag"),
    ],
)
def test_bad_input_is_a_form_error_and_changes_nothing(as_journalist, source, fields, field, message):
    factories.SourceFactory(name="Rudaw English")
    response = edit(as_journalist, source, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    source.refresh_from_db()
    assert (source.name, source.homepage, source.country, source.language) == ("Rudaw", "", "IQ", "ckb")


def test_a_source_may_change_the_case_of_its_own_name(as_journalist, source):
    assert edit(as_journalist, source, name="RUDAW").status_code == 302
    source.refresh_from_db()
    assert source.name == "RUDAW"


def test_the_database_constraint_on_names_becomes_a_validation_error(source, journalist, monkeypatch):
    """Two renames to the same name at once: the check passes for both, the unique index refuses
    the second (source_name_unique_ci), and the service says so on the name field."""
    other = factories.SourceFactory(name="Kirkuk Now")
    real_filter = Source.objects.filter

    def filter_missing_the_rival(*args, **kwargs):
        if "name__iexact" in kwargs:  # as if the rival committed just after the check
            return real_filter(pk__in=[])
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Source.objects, "filter", filter_missing_the_rival)
    with pytest.raises(ValidationError) as refused:
        services.update_source(source=source, changed_by=journalist, name="kirkuk now")
    assert "already a source called" in str(refused.value.message_dict["name"])
    monkeypatch.undo()
    source.refresh_from_db()
    other.refresh_from_db()
    assert (source.name, other.name) == ("Rudaw", "Kirkuk Now")


def test_the_service_keeps_the_kind_unless_given_and_refuses_an_unknown_one(source, editor):
    services.update_source(source=source, changed_by=editor, name="Rudaw")
    source.refresh_from_db()
    assert source.kind == Source.Kind.NEWS_OUTLET
    with pytest.raises(ValidationError):
        services.update_source(source=source, changed_by=editor, name="Rudaw", kind="tabloid")


def test_a_merged_source_is_not_edited_its_edit_page_redirects_to_the_survivors(as_editor, source, editor):
    kept = factories.SourceFactory(name="Rudaw Media Network")
    claim_services.merge_sources(absorbed=source, into=kept, merged_by=editor, reason="The same outlet.")
    response = as_editor.get(reverse("sources:source-edit", args=[source.pk]))
    assert response.status_code == 301
    assert response["Location"] == reverse("sources:source-edit", args=[kept.pk])
    with pytest.raises(services.SourceMerged):
        services.update_source(source=source, changed_by=editor, name="Renamed")
    source.refresh_from_db()
    assert source.name == "Rudaw"


def test_source_page_links_to_the_edit_page_for_journalists(as_journalist, source):
    page = as_journalist.get(source.get_absolute_url()).content.decode()
    assert reverse("sources:source-edit", args=[source.pk]) in page


# The admin changes a source through the same service -----------------------------------------


def admin_change(client, source, **fields):
    data = {
        "name": source.name,
        "kind": source.kind,
        "homepage": source.homepage,
        "country": source.country,
        "language": source.language,
        "feeds-TOTAL_FORMS": "0",
        "feeds-INITIAL_FORMS": "0",
    }
    return client.post(f"/admin/sources/source/{source.pk}/change/", {**data, **fields})


@pytest.fixture
def admin_client_(client, admin_user):
    client.force_login(admin_user)
    return client


def test_admin_changes_go_through_update_source(admin_client_, source, admin_user):
    response = admin_change(admin_client_, source, name="Rudaw TV", country="tr", kind=Source.Kind.ORGANISATION)
    assert response.status_code == 302, response.content.decode()[:3000]
    source.refresh_from_db()
    assert (source.name, source.country, source.kind) == ("Rudaw TV", "TR", Source.Kind.ORGANISATION)
    assert source.history.first().history_user == admin_user


def test_admin_refuses_a_duplicate_name_and_a_bad_country_as_the_page_does(admin_client_, source):
    factories.SourceFactory(name="Kirkuk Now")
    response = admin_change(admin_client_, source, name="KIRKUK NOW", country="ZZ")
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is already a source called “Kirkuk Now”." in html
    assert "two-letter ISO 3166 country code" in html
    source.refresh_from_db()
    assert source.name == "Rudaw"


def test_admin_shows_a_merged_source_read_only(admin_client_, source, editor):
    kept = factories.SourceFactory(name="Rudaw Media Network")
    claim_services.merge_sources(absorbed=source, into=kept, merged_by=editor, reason="The same outlet.")
    assert admin_change(admin_client_, source, name="Renamed").status_code == 403
    source.refresh_from_db()
    assert source.name == "Rudaw"
