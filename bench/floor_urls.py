"""The benchmark's URLconf: the product's URLs plus the floor views `bench/api.py` compares them with.

The floor is the same page served the same way — the same WSGI handler, all middleware, the same
API-key authentication, permission and throttle (it is a DRF APIView with the project's defaults)
— but built by one raw SQL query and `json.dumps` instead of the ORM, serializers, pagination and
renderer. Mounted under /api/v1/ so path-based middleware treats it as an API request. Only the
benchmark uses this module (`settings.ROOT_URLCONF` is pointed at it there).
"""

import json

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from rest_framework.views import APIView

from claimtrack.urls import urlpatterns as product_urlpatterns

FLOOR_LIST_SQL = """
SELECT c.id, c.slug, c.text, c.summary, c.status, c.status_changed_at, c.first_seen_at, c.last_activity_at,
       c.language, c.places, c.asserts_count, c.denies_count, c.reports_count, c.is_archived,
       ARRAY(SELECT t.name FROM claims_claim_tags ct JOIN claims_tag t ON t.id = ct.tag_id
             WHERE ct.claim_id = c.id ORDER BY t.name) AS tags,
       (SELECT json_build_object('rating_value', v.rating_value, 'rating_name', v.rating_name,
               'best_rating', v.best_rating, 'worst_rating', v.worst_rating, 'summary', v.summary,
               'published_at', v.published_at)
          FROM claims_verdict v WHERE v.claim_id = c.id ORDER BY v.published_at DESC, v.id DESC LIMIT 1) AS verdict
FROM claims_claim c ORDER BY c.id DESC LIMIT 51
"""

FLOOR_DETAIL_SQL = FLOOR_LIST_SQL.replace("ORDER BY c.id DESC LIMIT 51", "WHERE c.id = %s").replace(
    "AS verdict\n",
    """AS verdict,
       (SELECT json_agg(json_build_object('id', a.id, 'claim', a.claim_id,
               'source', json_build_object('id', s.id, 'name', s.name, 'kind', s.kind),
               'document', NULL, 'stance', a.stance, 'quote', a.quote, 'seen_at', a.seen_at,
               'origin', a.origin, 'review_state', a.review_state, 'retracted', false,
               'retracted_at', NULL, 'retraction_reason', '') ORDER BY a.seen_at, a.id)
          FROM claims_appearance a JOIN sources_source s ON s.id = a.source_id
         WHERE a.claim_id = c.id AND a.review_state = 'accepted' AND a.retracted_at IS NULL) AS appearances,
       (SELECT json_agg(json_build_object('id', sc.id, 'claim', sc.claim_id, 'from_status', sc.from_status,
               'to_status', sc.to_status, 'rationale', sc.rationale, 'changed_at', sc.changed_at)
               ORDER BY sc.changed_at, sc.id)
          FROM claims_statuschange sc WHERE sc.claim_id = c.id) AS status_history
""",
)


def iso(moment):
    value = moment.isoformat()
    return value[:-6] + "Z" if value.endswith("+00:00") else value


def floor_claim(row, base):
    (id_, slug, text, summary, status, status_changed_at, first_seen_at, last_activity_at, language, places,
     asserts, denies, reports, archived, tags, verdict) = row[:16]  # fmt: skip
    return {
        "id": id_,
        "url": f"{base}/api/v1/claims/{id_}/",
        "page_url": f"{base}/claims/{id_}/",
        "slug": slug,
        "text": text,
        "summary": summary,
        "status": status,
        "status_changed_at": iso(status_changed_at),
        "first_seen_at": iso(first_seen_at),
        "last_activity_at": iso(last_activity_at),
        "language": language,
        "tags": tags,
        "places": places,
        "stance_counts": {"asserts": asserts, "denies": denies, "reports": reports},
        "verdict": verdict,
        "is_archived": archived,
    }


def _json(data) -> HttpResponse:
    return HttpResponse(json.dumps(data).encode(), content_type="application/json")


class FloorClaimList(APIView):
    """Authentication, permission and throttling are the project's defaults, as for the real list."""

    def get(self, request):
        base = f"{request.scheme}://{request.get_host()}"
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_LIST_SQL)
            rows = cursor.fetchall()
        results = [floor_claim(row, base) for row in rows[:50]]
        return _json({"next": "…" if len(rows) > 50 else None, "previous": None, "results": results})


class FloorClaimDetail(APIView):
    def get(self, request, pk):
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_DETAIL_SQL, [pk])
            row = cursor.fetchone()
        data = floor_claim(row, f"{request.scheme}://{request.get_host()}")
        data["appearances"], data["status_history"] = row[16] or [], row[17] or []
        return _json(data)


urlpatterns = [
    path("api/v1/bench-floor/claims/", FloorClaimList.as_view()),
    path("api/v1/bench-floor/claims/<int:pk>/", FloorClaimDetail.as_view()),
    *product_urlpatterns,
]
