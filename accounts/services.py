"""Two-factor login (TOTP, django-otp) for the roles that rule: editors and administrators; each
user's interface language."""

import io

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from .models import InterfacePreference

DEVICE_NAME = "authenticator app"


def may_use_two_factor(user) -> bool:
    return user.is_authenticated and (user.is_staff or user.has_perm("claims.change_claim_status"))


def pending_totp_device(user) -> TOTPDevice:
    """The unconfirmed device whose secret the user is adding to their app (created on first visit)."""
    if not may_use_two_factor(user):
        raise PermissionDenied
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_code_svg(device: TOTPDevice) -> str:
    out = io.BytesIO()
    write_qrcode_image(device.config_url, out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :]  # inline in the page: drop the XML declaration


def confirm_totp_device(request, *, token: str) -> TOTPDevice:
    """Turn two-factor login on: the token proves the app holds the secret. Every other session of
    the user ends (a session opened with a stolen password must not outlive the new factor), and
    this one continues under a new key."""
    device = pending_totp_device(request.user)
    if not device.verify_token((token or "").strip()):
        raise ValidationError(
            {"token": _("That code is not right. Codes change every 30 seconds; try the current one.")}
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
    request.session.cycle_key()
    otp_login(request, device)
    end_other_sessions(request)
    return device


def end_other_sessions(request) -> int:
    """Delete every unexpired session of the request's user except the request's own. Returns how
    many ended. Reads each live session (database sessions are not indexed by user); a rare
    action, so the scan is acceptable."""
    user_id = str(request.user.pk)
    own_key = request.session.session_key
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).exclude(session_key=own_key).iterator():
        if session.get_decoded().get("_auth_user_id") == user_id:
            ended.append(session.session_key)
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


def verify_second_factor(request, *, token: str) -> TOTPDevice:
    """Complete a login for a user with two-factor on."""
    for device in TOTPDevice.objects.devices_for_user(request.user, confirmed=True):
        if device.verify_token((token or "").strip()):
            otp_login(request, device)
            return device
    raise ValidationError({"token": _("That code is not right. Codes change every 30 seconds; try the current one.")})


SESSION_KEY = "second_factor_required"


def remember_second_factor_requirement(request, user) -> None:
    """At login, note in the session whether this user must enter a code (one query per login,
    none per request)."""
    request.session[SESSION_KEY] = TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_second_factor(request) -> bool:
    user = request.user
    return user.is_authenticated and request.session.get(SESSION_KEY, False) and not user.is_verified()


# The interface language ----------------------------------------------------------------------

LANGUAGE_SESSION_KEY = "interface_language"


def interface_languages() -> dict[str, str]:
    """The languages the interface speaks, each named in itself (settings.LANGUAGES)."""
    return dict(settings.LANGUAGES)


def set_interface_language(user, language: str) -> InterfacePreference:
    """Store the user's interface language; a code that is not an interface language is refused
    (ValidationError) and nothing is stored."""
    if language not in interface_languages():
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    preference, _created = InterfacePreference.objects.update_or_create(user=user, defaults={"language": language})
    return preference


def stored_interface_language(user) -> str:
    """The user's stored interface language, "" when they never chose one (or chose one no longer offered)."""
    language = InterfacePreference.objects.filter(user=user).values_list("language", flat=True).first() or ""
    return language if language in interface_languages() else ""


def remember_interface_language(request, user) -> None:
    """At login, copy the user's stored language into the session (one query per login, none per
    request): from then on the middleware reads it from there."""
    request.session[LANGUAGE_SESSION_KEY] = stored_interface_language(user)


def session_interface_language(request) -> str:
    """The logged-in user's interface language for this request ("": none chosen). A session from
    before the preference existed reads it once."""
    if not request.user.is_authenticated:
        return ""
    if LANGUAGE_SESSION_KEY not in request.session:
        remember_interface_language(request, request.user)
    language = request.session[LANGUAGE_SESSION_KEY]
    return language if language in interface_languages() else ""
