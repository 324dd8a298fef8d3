"""The newsroom pages of the claims domain, included at the site's root: the claims, the review
queue, the editor's desk, the public fact-check pages and the source pages (which show what a
source said about claims)."""

from django.urls import path

from . import report_views, views

app_name = "claims"
urlpatterns = [
    path("claims/", views.claim_list, name="list"),
    path("claims/new/", views.claim_create, name="create"),
    path("claims/similar/", views.similar_claims, name="similar"),
    path("claims/mine/", views.my_claims, name="mine"),
    path("claims/<int:pk>/", views.claim_detail, name="detail"),
    path("claims/<int:pk>/notes/new/", views.note_create, name="note-create"),
    path("claims/notes/<int:pk>/retract/", views.note_retract, name="note-retract"),
    path("claims/<int:pk>/wordings/new/", views.wording_create, name="wording-create"),
    path("claims/wordings/<int:pk>/retract/", views.wording_retract, name="wording-retract"),
    path("claims/<int:pk>/assignments/new/", views.assignment_create, name="assignment-create"),
    path("claims/assignments/<int:pk>/end/", views.assignment_end, name="assignment-end"),
    path("claims/<int:pk>/edit/", views.claim_edit, name="edit"),
    path("claims/<int:pk>/bundle.warc.gz", views.claim_bundle, name="bundle"),
    path("claims/<int:pk>/live/", views.claim_live, name="live"),
    path("claims/<int:pk>/appearances/new/", views.appearance_create, name="appearance-create"),
    path("claims/<int:pk>/evidence/new/", views.evidence_create, name="evidence-create"),
    path("claims/<int:pk>/status/", views.status_change, name="status-change"),
    path("claims/<int:pk>/verdict/", views.verdict_publish, name="verdict-publish"),
    path("claims/<int:pk>/proposals/", views.proposal_create, name="proposal-create"),
    path("claims/proposals/<int:pk>/approve/", views.proposal_decide, {"decision": "approve"}, name="proposal-approve"),
    path("claims/proposals/<int:pk>/reject/", views.proposal_decide, {"decision": "reject"}, name="proposal-reject"),
    path("claims/<int:pk>/merge/", views.claim_merge, name="merge"),
    path(
        "claims/merge-proposals/<int:pk>/merge/",
        views.merge_proposal_decide,
        {"decision": "merge"},
        name="merge-proposal-merge",
    ),
    path(
        "claims/merge-proposals/<int:pk>/reject/",
        views.merge_proposal_decide,
        {"decision": "reject"},
        name="merge-proposal-reject",
    ),
    path("claims/appearances/<int:pk>/retract/", views.appearance_retract, name="appearance-retract"),
    path("claims/evidence/<int:pk>/retract/", views.evidence_retract, name="evidence-retract"),
    path("claims/evidence/<int:pk>/file/", views.evidence_file, name="evidence-file"),
    path("review/", views.review_queue, name="review"),
    path("review/<int:pk>/accept/", views.pending_appearance_decide, {"decision": "accept"}, name="review-accept"),
    path("review/<int:pk>/edit/", views.pending_appearance_edit, name="review-edit"),
    path("review/<int:pk>/reject/", views.pending_appearance_decide, {"decision": "reject"}, name="review-reject"),
    path("desk/", views.desk, name="desk"),
    # The editors' reports, each with its CSV download.
    path("reports/", report_views.report_list, name="reports"),
    *(
        path(f"reports/{name}.csv", report_views.report_csv, {"name": name}, name=f"report-{name}")
        for name in report_views.REPORT_NAMES
    ),
    path("fact-checks/<int:pk>/", views.fact_check, name="fact-check"),
    path("sources/", views.source_list, name="source-list"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
    path("sources/<int:pk>/merge/", views.source_merge, name="source-merge"),
    path("sources/<int:pk>/feeds/add/", views.source_feed_add, name="source-feed-add"),
    # Follows and notifications.
    path("claims/<int:pk>/follow/", views.claim_follow, {"follow": True}, name="follow"),
    path("claims/<int:pk>/unfollow/", views.claim_follow, {"follow": False}, name="unfollow"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("notifications/settings/", views.notification_settings, name="notification-settings"),
]
