"""The header's language switcher: a logged-in user's choice is stored and follows them to any
browser; a visitor's is Django's language cookie; a code the interface does not speak is refused."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from accounts import services
from accounts.models import InterfacePreference
from tests import factories

pytestmark = pytest.mark.django_db

SWITCH = "/accounts/language/"


def logged_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_switcher_stores_the_choice_and_the_users_next_browser_is_arabic_right_to_left(journalist):
    first_browser = logged_in_client(journalist)
    response = first_browser.post(SWITCH, {"language": "ar", "next": "/claims/"})

    assert response.status_code == 302 and response["Location"] == "/claims/"
    assert InterfacePreference.objects.get(user=journalist).language == "ar"
    other_browser = logged_in_client(journalist)  # no cookie, no Accept-Language: only the stored choice
    page = other_browser.get("/claims/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert page["Content-Language"] == "ar"
    assert "Cookie" in page["Vary"] and "Accept-Language" in page["Vary"]
    # The switcher shows the choice, each language named in itself.
    assert '<option value="ar" lang="ar" dir="rtl" selected>العربيّة</option>' in html
    assert '<option value="ckb" lang="ckb" dir="rtl">کوردی</option>' in html
    assert '<option value="en" lang="en" dir="ltr">English</option>' in html


def test_the_choice_applies_at_once_in_the_browser_that_made_it_and_can_be_changed_back(journalist):
    client = logged_in_client(journalist)
    client.post(SWITCH, {"language": "ckb", "next": "/claims/"})
    assert '<html lang="ckb" dir="rtl">' in client.get("/claims/").content.decode()

    client.post(SWITCH, {"language": "en", "next": "/claims/"})
    assert '<html lang="en" dir="ltr">' in client.get("/claims/").content.decode()
    assert InterfacePreference.objects.filter(user=journalist).count() == 1


def test_a_session_from_before_the_choice_was_copied_to_it_reads_it_once(journalist):
    services.set_interface_language(journalist, "ar")
    client = logged_in_client(journalist)
    session = client.session
    del session[services.LANGUAGE_SESSION_KEY]
    session.save()

    assert '<html lang="ar" dir="rtl">' in client.get("/claims/").content.decode()
    stored = Session.objects.get(session_key=client.session.session_key).get_decoded()
    assert stored[services.LANGUAGE_SESSION_KEY] == "ar"


def test_a_user_who_never_chose_gets_the_browsers_language(journalist):
    page = logged_in_client(journalist).get("/claims/", HTTP_ACCEPT_LANGUAGE="ar")
    assert '<html lang="ar" dir="rtl">' in page.content.decode()


def test_an_anonymous_visitor_switches_with_the_language_cookie_and_nothing_is_stored():
    client = Client()
    response = client.post(SWITCH, {"language": "ar", "next": "/accounts/login/"})

    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    assert not InterfacePreference.objects.exists()
    assert '<html lang="ar" dir="rtl">' in client.get("/accounts/login/").content.decode()


@pytest.mark.parametrize("code", ["ku", "tr", "xx", "", "ar<script>", "en-GB" * 10])
def test_a_language_the_interface_does_not_speak_is_refused_and_nothing_is_stored(journalist, code):
    client = logged_in_client(journalist)
    response = client.post(SWITCH, {"language": code, "next": "/claims/"})

    assert response.status_code == 400
    assert not InterfacePreference.objects.exists()
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert '<html lang="en" dir="ltr">' in client.get("/claims/").content.decode()


def test_the_service_refuses_an_unknown_code(journalist):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.set_interface_language(journalist, "ku")
    assert not InterfacePreference.objects.exists()


@pytest.mark.parametrize(
    "unsafe",
    [
        "https://evil.example/",
        "//evil.example/claims/",
        "http://evil.example",
        "javascript:alert(1)",
        "/\\evil.example",
    ],
)
def test_an_unsafe_next_is_not_followed(journalist, unsafe):
    response = logged_in_client(journalist).post(SWITCH, {"language": "ar", "next": unsafe})

    assert response.status_code == 302 and response["Location"] == "/"
    assert InterfacePreference.objects.get(user=journalist).language == "ar"  # the choice itself holds


def test_the_switcher_needs_the_forms_csrf_token_and_a_post(journalist):
    client = Client(enforce_csrf_checks=True)
    client.force_login(journalist)
    assert client.post(SWITCH, {"language": "ar"}).status_code == 403
    assert not InterfacePreference.objects.exists()
    assert client.get(SWITCH).status_code == 405


def test_the_header_carries_the_switcher_form_on_every_page(journalist):
    html = logged_in_client(journalist).get("/claims/?status=false").content.decode()
    assert f'<form method="post" action="{SWITCH}" class="language-switcher">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<input type="hidden" name="next" value="/claims/?status=false">' in html
    # On the login page too, for visitors.
    assert f'action="{SWITCH}"' in Client().get("/accounts/login/").content.decode()


def test_the_admin_lists_preferences_read_only(admin_client, journalist):
    services.set_interface_language(journalist, "ckb")
    changelist = admin_client.get("/admin/accounts/interfacepreference/")
    assert changelist.status_code == 200 and journalist.username in changelist.content.decode()
    assert admin_client.get("/admin/accounts/interfacepreference/add/").status_code == 403


def test_an_editor_waiting_for_the_second_factor_may_still_switch(editor):
    client = logged_in_client(editor)
    session = client.session
    session["second_factor_required"] = True
    session.save()
    response = client.post(SWITCH, {"language": "ar", "next": "/accounts/verify/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/verify/"
    assert factories.EditorFactory._meta.model.objects.get(pk=editor.pk).interface_preference.language == "ar"
