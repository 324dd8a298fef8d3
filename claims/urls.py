from django.urls import path

from . import views

app_name = "claims"
urlpatterns = [
    path("", views.claim_list, name="list"),
    path("new/", views.claim_create, name="create"),
    path("similar/", views.similar_claims, name="similar"),
    path("<int:pk>/", views.claim_detail, name="detail"),
    path("<int:pk>/appearances/new/", views.appearance_create, name="appearance-create"),
    path("<int:pk>/evidence/new/", views.evidence_create, name="evidence-create"),
    path("<int:pk>/status/", views.status_change, name="status-change"),
    path("<int:pk>/verdict/", views.verdict_publish, name="verdict-publish"),
    path("<int:pk>/proposals/", views.proposal_create, name="proposal-create"),
    path("proposals/<int:pk>/approve/", views.proposal_decide, {"decision": "approve"}, name="proposal-approve"),
    path("proposals/<int:pk>/reject/", views.proposal_decide, {"decision": "reject"}, name="proposal-reject"),
    path("appearances/<int:pk>/retract/", views.appearance_retract, name="appearance-retract"),
    path("evidence/<int:pk>/retract/", views.evidence_retract, name="evidence-retract"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence-file"),
]
