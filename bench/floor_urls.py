"""The benchmark's URLconf: the product's URLs plus the floor views `bench/api.py` compares them with.

The floor is the same page served the same way — the same WSGI handler, all middleware, the same
API-key authentication, permission and throttle (it is a DRF APIView with the project's defaults),
the same ETag (Django's ConditionalGetMiddleware on the detail, as `claimtrack.api.conditional.
with_etag` puts it on the API's) — but built by one raw SQL query (PostgreSQL: the JSON objects are
assembled by the database, times formatted as DRF writes them) and one `json.dumps` with DRF's
JSONRenderer options, instead of the ORM, serializers, pagination and renderer. Its body is byte
for byte the API's for the same data (tests/test_bench_floors.py checks it), for:

- /api/v1/bench-floor/claims/ and its `?cursor=` pages (as given in `next` links) standing for
  /api/v1/claims/ (no filters, default page size);
- /api/v1/bench-floor/claims/<id>/ (and `?include_retracted=true`) standing for
  /api/v1/claims/<id>/ of a claim that was not merged into another (that one redirects).

Mounted under /api/v1/ so path-based middleware treats it as an API request. Only the benchmark
and its test use this module (`settings.ROOT_URLCONF` is pointed at it there).
"""

import json
from base64 import b64decode, b64encode
from urllib.parse import parse_qs, urlencode

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponse
from django.urls import path
from django.utils.decorators import method_decorator
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from claimtrack.api.conditional import conditional_get
from claimtrack.api.fields import include_retracted
from claimtrack.urls import urlpatterns as product_urlpatterns


def _iso(column: str) -> str:
    """SQL for a timestamptz as claimtrack.api.fields.iso writes it: ISO 8601 in UTC with Z, the
    microseconds only when there are any; NULL stays NULL."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"""(to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS') """
        f"|| CASE WHEN mod(date_part('microseconds', {utc})::bigint, 1000000) = 0 THEN '' "
        f"ELSE to_char({utc}, '.US') END || 'Z')"
    )


# One claim as the API's claim_data writes it; %(api)s and %(page)s are the absolute URLs of the
# API's claim list and of the claim pages.
_CLAIM_FIELDS = f"""
    'id', c.id,
    'url', %(api)s::text || c.id || '/',
    'page_url', %(page)s::text || c.id || '/',
    'slug', c.slug,
    'text', c.text,
    'summary', c.summary,
    'status', c.status,
    'status_changed_at', {_iso("c.status_changed_at")},
    'first_seen_at', {_iso("c.first_seen_at")},
    'last_activity_at', {_iso("c.last_activity_at")},
    'updated_at', {_iso("c.updated_at")},
    'language', c.language,
    'tags', COALESCE((SELECT json_agg(t.name ORDER BY t.name COLLATE "C")
                      FROM claims_claim_tags ct JOIN claims_tag t ON t.id = ct.tag_id
                      WHERE ct.claim_id = c.id), '[]'::json),
    'wordings', COALESCE((SELECT json_agg(json_build_object('language', w.language, 'text', w.text,
                                                            'is_translation', w.is_translation)
                                          ORDER BY w.created_at, w.id)
                          FROM claims_claimwording w
                          WHERE w.claim_id = c.id AND w.retracted_at IS NULL), '[]'::json),
    'places', COALESCE(c.places::json, '[]'::json),
    'stance_counts', json_build_object('asserts', c.asserts_count, 'denies', c.denies_count,
                                       'reports', c.reports_count),
    'verdict', (SELECT json_build_object('id', v.id, 'rating_value', v.rating_value, 'rating_name', v.rating_name,
                                         'best_rating', v.best_rating, 'worst_rating', v.worst_rating,
                                         'summary', v.summary, 'published_at', {_iso("v.published_at")})
                FROM claims_verdict v WHERE v.claim_id = c.id
                ORDER BY v.published_at DESC, v.id DESC LIMIT 1),
    'is_archived', c.is_archived"""

FLOOR_LIST_SQL = f"""
SELECT c.id, json_build_object({_CLAIM_FIELDS}
)
FROM claims_claim c
WHERE c.merged_into_id IS NULL AND (%(before)s::bigint IS NULL OR c.id < %(before)s::bigint)
ORDER BY c.id DESC LIMIT %(limit)s
"""

FLOOR_DETAIL_SQL = f"""
SELECT json_build_object({_CLAIM_FIELDS},
    'appearances', COALESCE((
        SELECT json_agg(json_build_object(
                   'id', a.id, 'claim', a.claim_id,
                   'source', json_build_object('id', s.id, 'name', s.name, 'kind', s.kind),
                   'document', CASE WHEN d.id IS NULL THEN NULL ELSE json_build_object(
                       'id', d.id, 'url', d.url, 'title', d.title, 'kind', d.kind,
                       'published_at', {_iso("d.published_at")}) END,
                   'stance', a.stance, 'quote', a.quote, 'seen_at', {_iso("a.seen_at")},
                   'origin', a.origin, 'review_state', a.review_state,
                   'retracted', a.retracted_at IS NOT NULL, 'retracted_at', {_iso("a.retracted_at")},
                   'retraction_reason', CASE WHEN a.retracted_at IS NULL THEN '' ELSE a.retraction_reason END,
                   'supersedes', a.supersedes_id, 'superseded', a.superseded_at IS NOT NULL,
                   'superseded_at', {_iso("a.superseded_at")})
               ORDER BY a.seen_at, a.id)
        FROM claims_appearance a
        JOIN sources_source s ON s.id = a.source_id
        LEFT JOIN sources_document d ON d.id = a.document_id
        WHERE a.claim_id = c.id AND a.review_state = 'accepted'
          AND (%(include_retracted)s::boolean OR a.retracted_at IS NULL)), '[]'::json),
    'status_history', COALESCE((
        SELECT json_agg(json_build_object('id', sc.id, 'claim', sc.claim_id, 'from_status', sc.from_status,
                                          'to_status', sc.to_status, 'rationale', sc.rationale,
                                          'changed_at', {_iso("sc.changed_at")})
                        ORDER BY sc.changed_at, sc.id)
        FROM claims_statuschange sc WHERE sc.claim_id = c.id), '[]'::json),
    'clock', json_build_object(
        'first_appearance_at', {_iso("c.first_appearance_at")},
        'first_denial_at', {_iso("c.first_denial_at")},
        'first_official_at', {_iso("c.first_official_at")},
        'first_status_change_at', {_iso("c.first_status_change_at")},
        'first_verdict_at', {_iso("c.first_verdict_at")},
        'time_to_first_denial_seconds',
            trunc(extract(epoch FROM c.first_denial_at - c.first_appearance_at))::bigint,
        'time_to_verdict_seconds', trunc(extract(epoch FROM c.first_verdict_at - c.first_appearance_at))::bigint)
)
FROM claims_claim c WHERE c.id = %(id)s AND c.merged_into_id IS NULL
"""


def render(data) -> bytes:
    """JSON exactly as DRF's JSONRenderer writes it with the project's settings (UNICODE_JSON,
    COMPACT_JSON, STRICT_JSON at their defaults): UTF-8, no spaces, U+2028/U+2029 escaped."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


def _json(body: bytes) -> HttpResponse:
    return HttpResponse(body, content_type="application/json")


def _cursor(query: str) -> str:
    return urlencode({"cursor": b64encode(query.encode("ascii")).decode("ascii")})


def _before(request) -> int | None:
    """The id a `?cursor=` of the API's `next` links points below (p=<id>: keyset on the id)."""
    encoded = request.GET.get("cursor")
    if encoded is None:
        return None
    tokens = parse_qs(b64decode(encoded.encode("ascii")).decode("ascii"))
    if set(tokens) != {"p"}:  # a `previous` link, or an offset: not what the benchmark requests
        raise ValidationError({"cursor": ["The floor follows `next` links only."]})
    return int(tokens["p"][0])


def floor_list_body(cursor, request) -> bytes:
    """The body of GET /api/v1/claims/[?cursor=…] (StableCursorPagination: newest first, one row
    more than a page to know whether there is a next one)."""
    api = request.build_absolute_uri("/api/v1/claims/")
    page = request.build_absolute_uri("/claims/")
    size = settings.API_PAGE_SIZE
    before = _before(request)
    cursor.execute(FLOOR_LIST_SQL, {"api": api, "page": page, "before": before, "limit": size + 1})
    rows = cursor.fetchall()
    results = [claim for _id, claim in rows[:size]]
    # DRF's links: `next` points below the page's last id, `previous` (once past the first page)
    # back above its first id.
    next_link = f"{api}?{_cursor(f'p={rows[size - 1][0]}')}" if len(rows) > size else None
    previous_link = None if before is None else f"{api}?{_cursor(f'r=1&p={rows[0][0] if rows else before}')}"
    return render({"next": next_link, "previous": previous_link, "results": results})


def floor_detail_body(cursor, request, pk: int) -> bytes | None:
    """The body of GET /api/v1/claims/<pk>/[?include_retracted=…]; None when there is no such claim."""
    cursor.execute(
        FLOOR_DETAIL_SQL,
        {
            "api": request.build_absolute_uri("/api/v1/claims/"),
            "page": request.build_absolute_uri("/claims/"),
            "id": pk,
            "include_retracted": include_retracted(request),
        },
    )
    row = cursor.fetchone()
    return None if row is None else render(row[0])


class FloorClaimList(APIView):
    """Authentication, permission and throttling are the project's defaults, as for the real list."""

    def get(self, request):
        with connection.cursor() as cursor:
            return _json(floor_list_body(cursor, request))


@method_decorator(conditional_get, name="get")  # the API's detail ETag and 304 (with_etag)
class FloorClaimDetail(APIView):
    def get(self, request, pk):
        with connection.cursor() as cursor:
            body = floor_detail_body(cursor, request, pk)
        if body is None:
            raise Http404("No Claim matches the given query.")
        return _json(body)


urlpatterns = [
    path("api/v1/bench-floor/claims/", FloorClaimList.as_view()),
    path("api/v1/bench-floor/claims/<int:pk>/", FloorClaimDetail.as_view()),
    *product_urlpatterns,
]
