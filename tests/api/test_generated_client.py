"""A round trip through a client generated from the OpenAPI document (openapi-python-client, pinned
in the dev dependencies; generated once per test session, offline), against the live server with
an API key. The client raises on any status the document does not list, and every response it gets
also goes through the strict check of tests/openapi.py."""

import importlib
import json
import subprocess
import sys

import httpx
import pytest

from claims import services
from tests import factories
from tests.openapi import api_document, check_api_response

CONFIG = "post_hooks: []\nproject_name_override: claimtrack_client\npackage_name_override: claimtrack_client\n"


@pytest.fixture(scope="session")
def claimtrack_client(tmp_path_factory):
    """The generated package `claimtrack_client`, importable."""
    folder = tmp_path_factory.mktemp("generated_client")
    (folder / "openapi.json").write_text(json.dumps(api_document()))
    (folder / "config.yaml").write_text(CONFIG)
    subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", "openapi.json"]
        + ["--config", "config.yaml", "--meta", "none", "--output-path", "claimtrack_client"],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    sys.path.insert(0, str(folder))
    yield importlib.import_module("claimtrack_client")
    sys.path.remove(str(folder))


def check_response(response: httpx.Response) -> None:
    response.read()
    check_api_response(
        method=response.request.method,
        path=response.request.url.path,
        status=response.status_code,
        headers=dict(response.headers),
        body=response.content,
    )


def api_client(package, live_server, plain_key):
    return package.AuthenticatedClient(
        base_url=live_server.url,
        token=plain_key,
        prefix="Api-Key",
        raise_on_unexpected_status=True,
        httpx_args={"event_hooks": {"response": [check_response]}},
    )


def api(name):
    return importlib.import_module(f"claimtrack_client.api.{name}")


def test_a_generated_client_reads_and_submits_through_the_api(claimtrack_client, live_server):
    models = importlib.import_module("claimtrack_client.models")
    source = factories.SourceFactory()
    document = factories.DocumentFactory(source=source)
    with_verdict = factories.make_claim("The bridge at Mosul collapsed")
    factories.make_appearance(claim=with_verdict, source=source, document=document)
    verdict = services.publish_verdict(claim=with_verdict, rating_name="False", author=factories.EditorFactory())
    without_verdict = factories.make_claim("The airport is closed")
    factories.make_appearance(claim=without_verdict, source=factories.SourceFactory())
    reader = api_client(claimtrack_client, live_server, factories.make_api_key("read")[1])
    writer = api_client(claimtrack_client, live_server, factories.make_api_key("write")[1])

    listed = api("claims.claims_list").sync(client=reader)
    assert {claim.id for claim in listed.results} == {with_verdict.pk, without_verdict.pk}

    detail = api("claims.claims_retrieve").sync_detailed(client=reader, id=with_verdict.pk)
    assert detail.status_code == 200
    assert detail.parsed.verdict.id == verdict.pk
    assert detail.parsed.verdict.rating_name == "False"
    assert detail.parsed.appearances[0].document.id == document.pk
    bare = api("claims.claims_retrieve").sync(client=reader, id=without_verdict.pk)
    assert bare.verdict is None
    assert bare.appearances[0].document is None

    etag = detail.headers["ETag"]
    unchanged = api("claims.claims_retrieve").sync_detailed(client=reader, id=with_verdict.pk, if_none_match=etag)
    assert unchanged.status_code == 304
    assert unchanged.headers["ETag"] == etag

    spoken_to = api("claims.claims_list").sync(client=reader, source=source.pk)
    assert [claim.id for claim in spoken_to.results] == [with_verdict.pk]

    missing = api("claims.claims_retrieve").sync_detailed(client=reader, id=999_999)
    assert missing.status_code == 404
    assert missing.parsed.error.code == "not_found"

    submitted = api("claims.claims_create").sync_detailed(
        client=writer, body=models.ClaimCreateRequest(text="The dam upstream of Mosul has been breached.")
    )
    assert submitted.status_code == 201
    assert submitted.parsed.verdict is None
    appearance = api("appearances.appearances_create").sync_detailed(
        client=writer,
        body=models.AppearanceCreateRequest(
            claim=submitted.parsed.id, source=source.pk, stance=models.StanceEnum.ASSERTS, quote="It broke."
        ),
    )
    assert appearance.status_code == 201
    assert appearance.parsed.review_state == models.ReviewStateEnum.PENDING

    refused = api("claims.claims_create").sync_detailed(client=reader, body=models.ClaimCreateRequest(text="x"))
    assert refused.status_code == 403
