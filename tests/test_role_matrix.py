"""The role matrix of docs/security.md, walked: every route of the project × every role × its methods.

MATRIX below is that document's table as data. A completeness test enumerates the project's
URLconf and fails when a route is missing here, so a new view cannot ship without a line in the
matrix (and in docs/security.md). Outcomes:

- OK: the role reaches the action (2xx, or a redirect that is not to a login page);
- LOGIN / ADMIN_LOGIN: sent to the newsroom's / the admin's login page (web pages ignore API keys);
- 401, 403, 404, 405: refused with exactly that status.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from claims import services
from claims.models import Appearance, ClaimStatus, Notification
from partners import services as partner_services
from tests import factories

pytestmark = pytest.mark.django_db

# "outsider" is a signed-in account with no newsroom role (a new hire not yet given one).
ROLES = ["anonymous", "read_key", "write_key", "revoked_key", "outsider", "journalist", "editor", "admin"]
OK, LOGIN, ADMIN_LOGIN, REACHED = "ok", "login", "admin-login", "reached"


def web(journalist, editor, outsider=403):
    """A newsroom page: anonymous visitors and API keys are sent to log in; an account without a
    role is refused. The admin (a superuser) holds every permission, so is treated as an editor."""
    admin = editor
    return {
        "anonymous": LOGIN,
        "read_key": LOGIN,
        "write_key": LOGIN,
        "revoked_key": LOGIN,
        "outsider": outsider,
        "journalist": journalist,
        "editor": editor,
        "admin": admin,
    }


def everyone(outcome):
    return dict.fromkeys(ROLES, outcome)


def staff_only(editor, admin=OK):
    """A Django admin page: only staff get in (journalists are not staff; editors are, as in the demo)."""
    return {
        **dict.fromkeys(["anonymous", "read_key", "write_key", "revoked_key", "outsider", "journalist"], ADMIN_LOGIN),
        "editor": editor,
        "admin": admin,
    }


ALL_USERS = web(OK, OK)
EDITORS = web(403, OK)
NOT_ALLOWED = web(405, 405)
EDITORS_ELSE_405 = web(403, 405)  # the permission is checked before the method

# The API: keys authenticate, sessions of newsroom users too; unknown methods answer 405 (after 401).
# A revoked key is no key at all (401, as anonymous); an account without a role reads nothing.
API_READ = {
    "anonymous": 401,
    "read_key": OK,
    "write_key": OK,
    "revoked_key": 401,
    "outsider": 403,
    "journalist": OK,
    "editor": OK,
    "admin": OK,
}
API_SUBMIT = {**API_READ, "read_key": 403}
API_RULE = {**API_READ, "read_key": 403, "write_key": 403, "journalist": 403}
API_PARTNER = {**API_READ, "journalist": 403, "editor": 403, "admin": 403}
API_UNSUPPORTED = {**dict.fromkeys(ROLES, 405), "anonymous": 401, "revoked_key": 401}
API_PUBLIC = everyone(OK)

# (route, method, object in `world` or None, {role: outcome}). Route = "namespace:name", or the
# path for an unnamed route.
MATRIX = [
    ("/", "get", None, everyone(OK)),
    ("healthz", "get", None, everyone(OK)),
    ("login", "get", None, everyone(OK)),
    ("login", "post", None, everyone(OK)),
    ("logout", "get", None, everyone(405)),
    ("logout", "post", None, everyone(LOGIN)),  # logged out, then sent to the login page
    ("accounts:two-factor", "get", None, web(403, OK)),
    ("accounts:two-factor", "post", None, web(403, OK)),
    ("accounts:verify", "get", None, web(OK, OK, outsider=OK)),  # any account enters its code
    ("accounts:verify", "post", None, web(OK, OK, outsider=OK)),
    # The header's language switcher: anyone, logged in or not (a cookie; a logged-in user's is stored).
    ("accounts:language", "get", None, everyone(405)),
    ("accounts:language", "post", None, everyone(OK)),
    ("claims:list", "get", None, ALL_USERS),
    ("claims:list", "post", None, NOT_ALLOWED),
    ("claims:create", "get", None, ALL_USERS),
    ("claims:create", "post", None, ALL_USERS),
    ("claims:similar", "get", None, ALL_USERS),
    ("claims:similar", "post", None, NOT_ALLOWED),
    ("claims:detail", "get", "claim", ALL_USERS),
    ("claims:detail", "post", "claim", ALL_USERS),  # the claim page's forms, by `action` (here: propose)
    ("claims:edit", "get", "claim", ALL_USERS),
    ("claims:edit", "post", "claim", ALL_USERS),
    ("claims:live", "get", "claim", ALL_USERS),
    ("claims:live", "post", "claim", NOT_ALLOWED),
    ("claims:appearance-create", "get", "claim", ALL_USERS),
    ("claims:appearance-create", "post", "claim", ALL_USERS),
    ("claims:evidence-create", "get", "claim", NOT_ALLOWED),
    ("claims:evidence-create", "post", "claim", ALL_USERS),
    ("claims:evidence-file", "get", "evidence", ALL_USERS),
    ("claims:evidence-file", "post", "evidence", NOT_ALLOWED),
    ("claims:status-change", "get", "claim", EDITORS_ELSE_405),
    ("claims:status-change", "post", "claim", EDITORS),
    ("claims:verdict-publish", "get", "claim", EDITORS_ELSE_405),
    ("claims:verdict-publish", "post", "claim", EDITORS),
    ("claims:proposal-create", "get", "claim", NOT_ALLOWED),
    ("claims:proposal-create", "post", "claim", ALL_USERS),
    ("claims:proposal-approve", "get", "proposal", EDITORS_ELSE_405),
    ("claims:proposal-approve", "post", "proposal", EDITORS),
    ("claims:proposal-reject", "get", "proposal", EDITORS_ELSE_405),
    ("claims:proposal-reject", "post", "proposal", EDITORS),
    # Journalists propose merges (the same form), editors merge and decide proposals.
    ("claims:merge", "get", "claim", NOT_ALLOWED),
    ("claims:merge", "post", "claim", ALL_USERS),
    ("claims:merge-proposal-merge", "get", "merge_proposal", EDITORS_ELSE_405),
    ("claims:merge-proposal-merge", "post", "merge_proposal", EDITORS),
    ("claims:merge-proposal-reject", "get", "merge_proposal", EDITORS_ELSE_405),
    ("claims:merge-proposal-reject", "post", "merge_proposal", EDITORS),
    # The journalist recorded this appearance and uploaded this evidence (see `world`).
    ("claims:appearance-retract", "get", "appearance", NOT_ALLOWED),
    ("claims:appearance-retract", "post", "appearance", ALL_USERS),
    ("claims:evidence-retract", "get", "evidence", NOT_ALLOWED),
    ("claims:evidence-retract", "post", "evidence", ALL_USERS),
    # Notes and assignments: the newsroom's own work on a claim. The journalist wrote this note.
    ("claims:mine", "get", None, ALL_USERS),
    ("claims:mine", "post", None, NOT_ALLOWED),
    ("claims:note-create", "get", "claim", NOT_ALLOWED),
    ("claims:note-create", "post", "claim", ALL_USERS),
    ("claims:note-retract", "get", "note", NOT_ALLOWED),
    ("claims:note-retract", "post", "note", ALL_USERS),
    # The claim in other languages; the journalist added this wording.
    ("claims:wording-create", "get", "claim", NOT_ALLOWED),
    ("claims:wording-create", "post", "claim", ALL_USERS),
    ("claims:wording-retract", "get", "wording", NOT_ALLOWED),
    ("claims:wording-retract", "post", "wording", ALL_USERS),
    ("claims:assignment-create", "get", "claim", NOT_ALLOWED),
    ("claims:assignment-create", "post", "claim", ALL_USERS),
    ("claims:assignment-end", "get", "assignment", NOT_ALLOWED),
    ("claims:assignment-end", "post", "assignment", ALL_USERS),
    ("claims:source-detail", "get", "source", ALL_USERS),
    ("claims:source-detail", "post", "source", NOT_ALLOWED),
    ("claims:source-list", "get", None, ALL_USERS),
    ("claims:source-list", "post", None, NOT_ALLOWED),
    ("sources:source-search", "get", None, ALL_USERS),
    ("sources:source-search", "post", None, NOT_ALLOWED),
    ("sources:source-edit", "get", "source", ALL_USERS),
    ("sources:source-edit", "post", "source", ALL_USERS),  # journalists: not the kind (test_source_edit.py)
    ("claims:source-merge", "get", "source", EDITORS_ELSE_405),
    # The test names a source that does not exist: refused (400) by the action once let through.
    ("claims:source-merge", "post", "source", web(403, REACHED)),
    ("sources:document-lookup", "get", None, ALL_USERS),
    ("sources:document-lookup", "post", None, NOT_ALLOWED),
    ("sources:document-detail", "get", "document", ALL_USERS),
    ("sources:document-detail", "post", "document", NOT_ALLOWED),
    # Preserved snapshots: journalists ask for one (the worker fetches it) and see them inert;
    # only editors download the WARC record, and the claim's bundle.
    ("sources:document-snapshot-request", "get", "document", NOT_ALLOWED),
    ("sources:document-snapshot-request", "post", "document", ALL_USERS),
    ("sources:snapshot-text", "get", "snapshot", ALL_USERS),
    ("sources:snapshot-text", "post", "snapshot", NOT_ALLOWED),
    ("sources:snapshot-html", "get", "snapshot", ALL_USERS),
    ("sources:snapshot-html", "post", "snapshot", NOT_ALLOWED),
    ("sources:snapshot-warc", "get", "snapshot", EDITORS),
    ("sources:snapshot-warc", "post", "snapshot", EDITORS_ELSE_405),
    ("claims:bundle", "get", "claim", EDITORS),
    ("claims:bundle", "post", "claim", NOT_ALLOWED),
    ("claims:source-feed-add", "get", "source", EDITORS_ELSE_405),
    # Adding a feed fetches it; the test posts an already registered feed, refused (400) by the
    # action itself once the permission check has let the editor through.
    ("claims:source-feed-add", "post", "source", web(403, REACHED)),
    ("sources:feed-health", "get", None, EDITORS),
    ("sources:feed-health", "post", None, EDITORS_ELSE_405),
    ("claims:review", "get", None, ALL_USERS),
    ("claims:review", "post", None, NOT_ALLOWED),
    ("claims:review-accept", "get", "suggestion", NOT_ALLOWED),
    ("claims:review-accept", "post", "suggestion", ALL_USERS),
    ("claims:review-edit", "get", "suggestion", ALL_USERS),
    ("claims:review-edit", "post", "suggestion", ALL_USERS),
    ("claims:review-reject", "get", "suggestion", NOT_ALLOWED),
    ("claims:review-reject", "post", "suggestion", ALL_USERS),
    ("claims:desk", "get", None, EDITORS),
    ("claims:desk", "post", None, EDITORS_ELSE_405),
    # The editors' reports and their CSV downloads: the permission of ruling on claims.
    ("claims:reports", "get", None, EDITORS),
    ("claims:reports", "post", None, EDITORS_ELSE_405),
    ("claims:report-claims-by-status", "get", None, EDITORS),
    ("claims:report-claims-by-status", "post", None, EDITORS_ELSE_405),
    ("claims:report-time-to-verdict", "get", None, EDITORS),
    ("claims:report-time-to-verdict", "post", None, EDITORS_ELSE_405),
    ("claims:report-sources-rated-false", "get", None, EDITORS),
    ("claims:report-sources-rated-false", "post", None, EDITORS_ELSE_405),
    ("claims:report-corrections", "get", None, EDITORS),
    ("claims:report-corrections", "post", None, EDITORS_ELSE_405),
    # Follows and notifications: every newsroom user follows claims and reads their own notifications.
    ("claims:follow", "get", "claim", NOT_ALLOWED),
    ("claims:follow", "post", "claim", ALL_USERS),
    ("claims:unfollow", "get", "claim", NOT_ALLOWED),
    ("claims:unfollow", "post", "claim", ALL_USERS),
    ("claims:notifications", "get", None, ALL_USERS),
    ("claims:notifications", "post", None, NOT_ALLOWED),
    # The journalist's notification (see `world`): someone else's is not found.
    ("claims:notification-read", "get", "notification", NOT_ALLOWED),
    ("claims:notification-read", "post", "notification", web(OK, 404)),
    ("claims:notifications-read-all", "get", None, NOT_ALLOWED),
    ("claims:notifications-read-all", "post", None, ALL_USERS),
    ("claims:notification-settings", "get", None, ALL_USERS),
    ("claims:notification-settings", "post", None, ALL_USERS),
    # The public page of a published verdict (ClaimReview's url): readable by anyone.
    ("claims:fact-check", "get", "ruled_claim", everyone(OK)),
    ("claims:fact-check", "post", "ruled_claim", everyone(405)),
    # The Django admin: its index and one page per kind of permission (the rest follow Django's
    # model permissions; nothing can be deleted through it, see claimtrack/admin.py).
    ("admin:index", "get", None, staff_only(OK)),
    ("admin:claims_claim_changelist", "get", None, staff_only(OK)),
    ("admin:claims_claim_change", "get", "claim", staff_only(OK)),
    ("admin:claims_claim_delete", "get", "claim", staff_only(403, 403)),  # nothing is hard-deleted
    ("admin:auth_user_changelist", "get", None, staff_only(403)),
    ("admin:partners_partnerapikey_changelist", "get", None, staff_only(403)),
    # The API (tests/api/test_permissions.py also checks revoked keys and the error bodies).
    ("api:schema", "get", None, API_PUBLIC),
    ("api:docs", "get", None, API_PUBLIC),
    ("api:claim-list", "get", None, API_READ),
    ("api:claim-list", "post", None, API_SUBMIT),
    ("api:claim-list", "delete", None, API_UNSUPPORTED),
    ("api:claim-detail", "get", "claim", API_READ),
    ("api:claim-detail", "put", "claim", API_UNSUPPORTED),
    ("api:claim-detail", "patch", "claim", API_UNSUPPORTED),
    ("api:claim-detail", "delete", "claim", API_UNSUPPORTED),
    ("api:claim-timeline", "get", "claim", API_READ),
    ("api:claim-claimreview", "get", "ruled_claim", API_READ),  # a claim without verdict: 404
    ("api:claim-change-status", "post", "claim", API_RULE),
    ("api:claim-change-status", "get", "claim", API_UNSUPPORTED),
    ("api:claim-publish-verdict", "post", "claim", API_RULE),
    ("api:claimreview-list", "get", None, API_READ),
    ("api:claimreview-list", "post", None, API_UNSUPPORTED),
    ("api:appearance-list", "get", None, API_READ),
    ("api:appearance-list", "post", None, API_SUBMIT),
    ("api:statuschange-list", "get", None, API_READ),
    ("api:statuschange-list", "post", None, API_UNSUPPORTED),
    ("api:source-list", "get", None, API_READ),
    ("api:source-list", "post", None, API_UNSUPPORTED),
    ("api:source-detail", "get", "source", API_READ),
    ("api:source-detail", "delete", "source", API_UNSUPPORTED),
    ("api:document-list", "get", None, API_READ),
    ("api:document-list", "post", None, API_UNSUPPORTED),
    ("api:document-detail", "get", "document", API_READ),
    ("api:document-detail", "patch", "document", API_UNSUPPORTED),
    ("api:webhook-list", "get", None, API_PARTNER),
    ("api:webhook-list", "post", None, API_PARTNER),
    ("api:webhook-detail", "get", "webhook", API_PARTNER),
    ("api:webhook-detail", "delete", "webhook", API_PARTNER),
    ("api:webhook-detail", "put", "webhook", API_UNSUPPORTED),
    ("api:webhook-deliveries", "get", "webhook", API_PARTNER),
]

# Every other method of an API endpoint is unsupported: 405 once authenticated (401 before).
API_METHODS = ["get", "post", "put", "patch", "delete"]
_listed = {(route, method) for route, method, *_rest in MATRIX}
_api_routes = {
    route: key
    for route, _method, key, _outcomes in MATRIX
    if route.startswith("api:") and route not in ("api:schema", "api:docs")
}
MATRIX += [
    (route, method, key, API_UNSUPPORTED)
    for route, key in _api_routes.items()
    for method in API_METHODS
    if (route, method) not in _listed
]

# Route prefixes whose views are not the project's: the Django admin's own pages (walked above
# through a sample), static files.
NOT_OURS = ("admin/", "static/")


def project_routes() -> dict[str, set[str]]:
    """Every route of the URLconf → the HTTP methods its view declares (empty when it does not say)."""
    routes = {}

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route.startswith(NOT_OURS):
                    continue
                inner = ":".join(part for part in (namespace, pattern.namespace) if part)
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                actions = getattr(pattern.callback, "actions", None) or {}  # DRF viewsets
                # HEAD is answered as GET (DRF adds it to `actions` on the first request).
                routes[name or f"/{route}"] = set(actions) - {"head", "options"}

    walk(get_resolver().url_patterns)
    return routes


def test_every_route_of_the_project_is_in_the_matrix():
    listed = {route for route, *_rest in MATRIX}
    missing = set(project_routes()) - listed
    assert not missing, f"add these routes to MATRIX and docs/security.md: {sorted(missing)}"


def test_every_method_an_api_view_answers_is_in_the_matrix():
    listed = {(route, method) for route, method, *_rest in MATRIX}
    missing = {
        (route, method)
        for route, methods in project_routes().items()
        for method in methods
        if (route, method) not in listed
    }
    assert not missing


def test_matrix_covers_the_admin_and_every_role():
    assert "admin:index" in {route for route, *_rest in MATRIX}
    assert all(set(outcomes) == set(ROLES) for *_rest, outcomes in MATRIX)


@pytest.fixture
def world(journalist):
    source = factories.SourceFactory(name="Rudaw")
    document = factories.ingest_article(title="Kirkuk", text="Police withdrew.", source=source).document
    snapshot = factories.make_snapshot(document=document, body=b"<p>Police withdrew.</p>")
    claim = factories.make_claim(created_by=journalist)
    appearance = factories.make_appearance(claim=claim, source=source, document=document, recorded_by=journalist)
    evidence = factories.make_evidence(claim=claim, uploaded_by=journalist)
    proposal = services.propose_status_change(
        claim=claim, to_status=ClaimStatus.UNDER_REVIEW, rationale="Two outlets now carry it.", proposed_by=journalist
    )
    suggestion = factories.make_suggestion(claim=claim, source=source)
    ruled_claim = factories.make_claim(text="The dam burst", created_by=journalist)
    duplicate = factories.make_claim(text="Police left Kirkuk", created_by=journalist)
    merge_proposal = services.propose_merge(
        absorbed=duplicate.pk, into=claim.pk, proposed_by=journalist, reason="The same withdrawal rumour."
    )
    services.publish_verdict(claim=ruled_claim, rating_name="False", author=factories.EditorFactory())
    partner = factories.make_partner("Partner Newsroom")
    feed = factories.FeedFactory(source=source)
    webhook = partner_services.register_webhook(partner=partner, url="https://93.184.215.14/hooks/existing")
    note = services.add_note(claim_id=claim.pk, author=journalist, text="Called the ministry, no answer yet.")
    wording = services.add_claim_wording(
        claim_id=claim.pk, text="انسحاب الشرطة الاتحادية من كركوك", language="ar", added_by=journalist
    )
    assignment = services.assign_claim(claim_id=claim.pk, user=journalist, assigned_by=journalist)
    notification = Notification.objects.create(
        recipient=journalist, claim=claim, kind=Notification.Kind.DENIAL, appearance=appearance
    )
    return {
        "note": note,
        "wording": wording,
        "assignment": assignment,
        "notification": notification,
        "claim": claim,
        "appearance": appearance,
        "evidence": evidence,
        "proposal": proposal,
        "suggestion": suggestion,
        "source": source,
        "document": document,
        "snapshot": snapshot,
        "webhook": webhook,
        "partner": partner,
        "feed": feed,
        "ruled_claim": ruled_claim,
        "journalist": journalist,
        "merge_proposal": merge_proposal,
    }


def client_for(role, world, journalist, editor, outsider, admin_user) -> Client:
    if role in ("read_key", "write_key", "revoked_key"):
        scope = "read" if role == "read_key" else "write"
        _key, plain = factories.make_api_key(scope, partner=world["partner"], revoked=role == "revoked_key")
        return Client(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    client = Client()
    users = {"outsider": outsider, "journalist": journalist, "editor": editor, "admin": admin_user}
    if role in users:
        client.force_login(users[role])
    return client


def url_for(route, key, world):
    if route.startswith("/"):
        return route
    return reverse(route, args=[world[key].pk]) if key else reverse(route)


def body_for(route, world) -> dict:
    """A valid submission, so an allowed role reaches the action itself."""
    claim, source = world["claim"], world["source"]
    bodies = {
        "accounts:language": {"language": "ar", "next": "/claims/"},
        "claims:create": {"text": "A bridge in Mosul collapsed this morning."},
        "claims:appearance-create": {"source": source.pk, "stance": "asserts", "quote": "It collapsed."},
        "claims:evidence-create": {"file": SimpleUploadedFile("a.png", factories.PNG_BYTES, "image/png")},
        "claims:status-change": {"to_status": "false", "rationale": "Site visits.", "expected_status": claim.status},
        "claims:verdict-publish": {"rating": "False", "summary": "No withdrawal happened."},
        "claims:proposal-create": {"to_status": "disputed", "rationale": "Spreading."},
        "claims:detail": {"action": "proposal", "to_status": "disputed", "rationale": "Spreading."},
        "claims:edit": {"text": "Federal police withdrew from all of Kirkuk", "places": "Kirkuk"},
        "claims:appearance-retract": {"reason": "Duplicate."},
        "claims:evidence-retract": {"reason": "Duplicate."},
        "claims:note-create": {"text": "Ministry spokesman called back: denies it."},
        "claims:note-retract": {"reason": "Wrong claim."},
        "claims:wording-create": {"text": "الشرطة الاتحادية غادرت كركوك", "language": "ar"},
        "claims:wording-retract": {"reason": "Wrong claim."},
        "claims:assignment-create": {"user": world["journalist"].pk},
        "claims:merge": {"into": world["ruled_claim"].pk, "reason": "The same rumour, logged twice."},
        "claims:source-feed-add": {"url": world["feed"].url},
        "sources:source-edit": {
            "name": "Rudaw",
            "homepage": "https://www.rudaw.net/",
            "country": "IQ",
            "kind": "news_outlet",
        },
        "claims:source-merge": {"into_name": "No such source", "reason": "Duplicate."},
        "claims:review-accept": {"stance": "asserts"},
        "claims:review-edit": {"stance": "denies", "quote": "They denied it.", "seen_at": "2026-01-05T10:00"},
        "claims:notification-settings": {"email": "daily"},
        "api:claim-list": {"text": "A bridge in Mosul collapsed this morning.", "tags": ["mosul"]},
        "api:appearance-list": {"claim": claim.pk, "source": source.pk, "stance": "asserts", "quote": "It collapsed."},
        "api:claim-change-status": {"to_status": "false", "rationale": "The ministry's statement shows no withdrawal."},
        "api:claim-publish-verdict": {"rating": "False", "summary": "No withdrawal happened."},
        "api:webhook-list": {"url": "https://93.184.215.14/hooks/claimtrack"},
    }
    return bodies.get(route, {})


def assert_outcome(response, outcome, *, api: bool):
    location = response.get("Location", "")
    if outcome == OK:
        allowed = range(200, 300) if api else range(200, 400)
        assert response.status_code in allowed, response.status_code
        assert not location.startswith((reverse("login"), reverse("admin:login")))
    elif outcome == REACHED:
        assert response.status_code in (*range(200, 400), 400), response.status_code
        assert not location.startswith((reverse("login"), reverse("admin:login")))
    elif outcome == LOGIN:
        assert response.status_code == 302
        assert location.startswith(reverse("login"))
    elif outcome == ADMIN_LOGIN:
        assert response.status_code == 302
        assert location.startswith(reverse("admin:login"))
    else:
        assert response.status_code == outcome, response.status_code
    if api and response.status_code >= 400:
        # Every refusal of the API has the one JSON error shape; a 401 says how to authenticate.
        assert response["Content-Type"] == "application/json"
        assert set(response.json()["error"]) == {"code", "message", "fields"}
        if response.status_code == 401:
            assert response["WWW-Authenticate"] == "Api-Key"


CASES = [(route, method, key, role, outcomes[role]) for route, method, key, outcomes in MATRIX for role in ROLES]


@pytest.mark.parametrize(
    ("route", "method", "key", "role", "outcome"), CASES, ids=[f"{r} {m} {role}" for r, m, _k, role, _o in CASES]
)
def test_role_matrix(world, journalist, editor, outsider, admin_user, role, route, method, key, outcome):
    editor.is_staff = True  # as the demo's editor account (claims/demo.py)
    editor.save(update_fields=["is_staff"])
    client = client_for(role, world, journalist, editor, outsider, admin_user)
    url = url_for(route, key, world)
    api = route.startswith("api:")
    if method == "get":
        response = client.get(url)
    elif api:
        response = getattr(client, method)(url, body_for(route, world), content_type="application/json")
    else:
        response = getattr(client, method)(url, body_for(route, world))
    assert_outcome(response, outcome, api=api)


# Object-level rules ------------------------------------------------------------------------------


def test_a_retracted_appearance_cannot_be_retracted_again(client, journalist):
    appearance = factories.make_appearance(recorded_by=journalist)
    services.retract_appearance(appearance=appearance, retracted_by=journalist, reason="Wrong claim.")
    client.force_login(journalist)
    response = client.post(
        reverse("claims:appearance-retract", args=[appearance.pk]), {"reason": "Again."}, follow=True
    )
    assert "already retracted" in response.content.decode()
    appearance.refresh_from_db()
    assert appearance.retraction_reason == "Wrong claim."


def test_a_retracted_suggestion_cannot_be_edited_or_accepted(client, journalist):
    suggestion = factories.make_suggestion()
    services.retract_appearance(appearance=suggestion, retracted_by=journalist, reason="Not about this claim.")
    client.force_login(journalist)
    client.post(reverse("claims:review-edit", args=[suggestion.pk]), {"stance": "denies", "quote": "Changed."})
    client.post(reverse("claims:review-accept", args=[suggestion.pk]), {"stance": "asserts"})
    suggestion.refresh_from_db()
    assert suggestion.quote != "Changed."
    assert suggestion.review_state == Appearance.ReviewState.PENDING


def test_a_journalist_cannot_retract_an_appearance_someone_else_recorded(as_journalist):
    appearance = factories.make_appearance(recorded_by=factories.JournalistFactory(username="other"))
    response = as_journalist.post(reverse("claims:appearance-retract", args=[appearance.pk]), {"reason": "duplicate"})
    assert response.status_code == 403
    appearance.refresh_from_db()
    assert appearance.retracted_at is None


def test_an_editor_can_retract_any_appearance(as_editor):
    appearance = factories.make_appearance()
    as_editor.post(reverse("claims:appearance-retract", args=[appearance.pk]), {"reason": "Wrong claim."})
    appearance.refresh_from_db()
    assert appearance.retraction_reason == "Wrong claim."


def test_a_journalist_cannot_retract_evidence_someone_else_uploaded(client, journalist):
    evidence = factories.make_evidence(
        claim=factories.make_claim(), uploaded_by=factories.JournalistFactory(username="other")
    )
    client.force_login(journalist)
    response = client.post(reverse("claims:evidence-retract", args=[evidence.pk]), {"reason": "duplicate"})
    assert response.status_code == 403
    evidence.refresh_from_db()
    assert evidence.retracted_at is None


def test_a_claim_without_a_published_verdict_has_no_claimreview(world):
    _key, plain = factories.make_api_key("read")
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    assert client.get(f"/api/v1/claims/{world['claim'].pk}/claimreview/").status_code == 404
    assert client.get(f"/api/v1/claims/{world['ruled_claim'].pk}/claimreview/").status_code == 200


def test_pending_appearances_are_invisible_to_partner_keys(world):
    suggestion = world["suggestion"]
    _key, plain = factories.make_api_key("read")
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    listed = client.get("/api/v1/appearances/", {"claim": world["claim"].pk}).json()
    timeline = client.get(f"/api/v1/claims/{world['claim'].pk}/timeline/").content.decode()
    assert world["appearance"].pk in [item["id"] for item in listed["results"]]
    assert suggestion.pk not in [item["id"] for item in listed["results"]]
    assert f"appearance-{world['appearance'].pk}" in timeline
    assert f"appearance-{suggestion.pk}" not in timeline


def test_a_partners_own_submission_waits_for_review_and_is_not_published(client, journalist, world):
    _key, plain = factories.make_api_key("write", partner=world["partner"])
    partner = Client(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    body = {"claim": world["claim"].pk, "source": world["source"].pk, "stance": "denies", "quote": "Partner quote."}
    created = partner.post("/api/v1/appearances/", body, content_type="application/json")
    assert created.status_code == 201
    listed = partner.get("/api/v1/appearances/", {"claim": world["claim"].pk}).json()
    assert created.json()["id"] not in [item["id"] for item in listed["results"]]
    client.force_login(journalist)
    assert "Partner quote." in client.get(reverse("claims:review")).content.decode()


def test_a_read_key_cannot_submit_and_nothing_is_stored(world):
    _key, plain = factories.make_api_key("read", partner=world["partner"])
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    before = Appearance.objects.count()
    body = {"claim": world["claim"].pk, "source": world["source"].pk, "stance": "denies", "quote": "Read-only."}
    response = client.post("/api/v1/appearances/", body, content_type="application/json")
    assert response.status_code == 403
    assert Appearance.objects.count() == before


def test_the_audit_trail_is_shown_to_editors_only(client, journalist, editor, world):
    url = reverse("claims:detail", args=[world["claim"].pk])
    client.force_login(journalist)
    assert 'id="audit-trail"' not in client.get(url).content.decode()
    client.force_login(editor)
    assert 'id="audit-trail"' in client.get(url).content.decode()


def test_status_changes_are_never_open_to_partner_keys_even_write_scope(world):
    _key, plain = factories.make_api_key("write", partner=world["partner"])
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    claim = world["claim"]
    body = {"to_status": "false", "rationale": "Partner says so."}
    response = client.post(f"/api/v1/claims/{claim.pk}/status/", body, content_type="application/json")
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status != ClaimStatus.FALSE
