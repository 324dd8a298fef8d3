"""The newsroom pages of the claims domain, included at the site's root: the claims, the review
queue, the editor's desk, the public fact-check pages and the source pages (which show what a
source said about claims)."""

from django.urls import path

from . import views

app_name = "claims"
urlpatterns = [
    path("claims/", views.claim_list, name="list"),
    path("claims/new/", views.claim_create, name="create"),
    path("claims/similar/", views.similar_claims, name="similar"),
    path("claims/<int:pk>/", views.claim_detail, name="detail"),
    path("claims/<int:pk>/appearances/new/", views.appearance_create, name="appearance-create"),
    path("claims/<int:pk>/evidence/new/", views.evidence_create, name="evidence-create"),
    path("claims/<int:pk>/status/", views.status_change, name="status-change"),
    path("claims/<int:pk>/verdict/", views.verdict_publish, name="verdict-publish"),
    path("claims/<int:pk>/proposals/", views.proposal_create, name="proposal-create"),
    path("claims/proposals/<int:pk>/approve/", views.proposal_decide, {"decision": "approve"}, name="proposal-approve"),
    path("claims/proposals/<int:pk>/reject/", views.proposal_decide, {"decision": "reject"}, name="proposal-reject"),
    path("claims/appearances/<int:pk>/retract/", views.appearance_retract, name="appearance-retract"),
    path("claims/evidence/<int:pk>/retract/", views.evidence_retract, name="evidence-retract"),
    path("claims/evidence/<int:pk>/file/", views.evidence_file, name="evidence-file"),
    path("review/", views.review_queue, name="review"),
    path("review/<int:pk>/accept/", views.pending_appearance_decide, {"decision": "accept"}, name="review-accept"),
    path("review/<int:pk>/edit/", views.pending_appearance_edit, name="review-edit"),
    path("review/<int:pk>/reject/", views.pending_appearance_decide, {"decision": "reject"}, name="review-reject"),
    path("desk/", views.desk, name="desk"),
    path("fact-checks/<int:pk>/", views.fact_check, name="fact-check"),
    path("sources/", views.source_list, name="source-list"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
    path("sources/<int:pk>/merge/", views.source_merge, name="source-merge"),
    path("sources/<int:pk>/feeds/add/", views.source_feed_add, name="source-feed-add"),
]
