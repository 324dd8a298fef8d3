from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from . import services


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


class InterfaceLanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


def _safe_next(request, next_url: str) -> str:
    """An address of this site, without control characters (they cannot go in a Location header); else "/"."""
    if not next_url or not next_url.isprintable():
        return "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return next_url


@require_POST
def interface_language(request):
    """The header's language switcher (CSRF-protected, no login needed). A logged-in user's choice
    is stored (it follows them to other browsers); everyone also gets Django's language cookie, so
    the choice holds before login and after logout. A code the interface does not speak is a 400."""
    form = InterfaceLanguageForm(request.POST)
    if not form.is_valid():
        return render(request, "400.html", status=400)
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        services.set_interface_language(request.user, language)
        request.session[services.LANGUAGE_SESSION_KEY] = language
    response = HttpResponseRedirect(_safe_next(request, request.POST.get("next", "")))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@login_required
def two_factor_setup(request):
    if not services.may_use_two_factor(request.user):
        raise PermissionDenied
    if services.TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return render(request, "accounts/two_factor_on.html")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_totp_device(request, token=form.cleaned_data["token"])
        except ValidationError as error:
            form.add_error("token", error.message_dict["token"])
        else:
            messages.success(request, _("Two-factor login is on. You will be asked for a code at every login."))
            return redirect("accounts:two-factor")
    device = services.pending_totp_device(request.user)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": services.qr_code_svg(device),
            "secret": device.config_url.split("secret=")[1].split("&")[0],
        },
    )


@login_required
def verify(request):
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    # An address of this site, without control characters (they cannot go in a Location header).
    if not next_url.isprintable() or not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if not services.needs_second_factor(request):
        return HttpResponseRedirect(next_url)  # an address, never a view name (as redirect() would try)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.verify_second_factor(request, token=form.cleaned_data["token"])
        except ValidationError as error:
            form.add_error("token", error.message_dict["token"])
        else:
            return HttpResponseRedirect(next_url)
    return render(request, "accounts/verify.html", {"form": form, "next": next_url})
