"""Every form control on the newsroom pages has a label (or sits inside one)."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from claims import services
from claims.models import ClaimStatus
from tests import factories

pytestmark = pytest.mark.django_db


class UnlabelledControls(HTMLParser):
    def __init__(self):
        super().__init__()
        self.controls, self.label_targets, self.label_depth = [], set(), 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.label_depth += 1
            if attrs.get("for"):
                self.label_targets.add(attrs["for"])
        elif tag in {"input", "select", "textarea"} and attrs.get("type") not in {"hidden", "submit"}:
            if not (self.label_depth or attrs.get("aria-label")):
                self.controls.append(attrs.get("id") or attrs.get("name"))

    def handle_endtag(self, tag):
        if tag == "label":
            self.label_depth -= 1

    def unlabelled(self):
        return [c for c in self.controls if c not in self.label_targets]


def unlabelled_controls(html: str) -> list:
    parser = UnlabelledControls()
    parser.feed(html)
    return parser.unlabelled()


def test_every_form_control_has_a_label(client, journalist, editor):
    claim = factories.make_claim(created_by=journalist)
    appearance = factories.make_appearance(claim=claim, recorded_by=journalist)
    factories.make_evidence(appearance=appearance, uploaded_by=journalist)
    services.propose_status_change(claim=claim, to_status=ClaimStatus.FALSE, rationale="x", proposed_by=journalist)
    suggestion = factories.make_suggestion(claim=claim)
    for user in (journalist, editor):
        client.force_login(user)
        for url in [
            "/claims/",
            reverse("claims:create"),
            claim.get_absolute_url(),
            reverse("claims:appearance-create", args=[claim.pk]),
            reverse("claims:review"),
            reverse("claims:review-edit", args=[suggestion.pk]),
        ]:
            response = client.get(url)
            assert response.status_code == 200
            assert unlabelled_controls(response.content.decode()) == [], url
    client.logout()
    assert unlabelled_controls(client.get("/accounts/login/").content.decode()) == []


def test_the_check_finds_an_unlabelled_control():
    html = '<input id="a"><label for="b">B</label><input id="b"><label>C <input id="c"></label><input type="hidden">'
    assert unlabelled_controls(html) == ["a"]
