from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .services import needs_second_factor, session_interface_language

# Reachable before the second factor: entering it, choosing the page's language, leaving, and the
# files those pages use.
OPEN_PREFIXES = ("/accounts/verify/", "/accounts/language/", "/accounts/logout/", "/static/", "/healthz")


class UserLanguageMiddleware:
    """After AuthenticationMiddleware: a logged-in user who chose an interface language gets it on
    every request, in any browser (LocaleMiddleware, before, went by the cookie and Accept-Language).
    Read from the session (copied there at login), so it costs no query. The response varies by
    Cookie (the session), which the session middleware adds as soon as the session is read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = session_interface_language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if language:
            patch_vary_headers(response, ("Cookie",))
        return response


class RequireSecondFactorMiddleware:
    """A user who turned two-factor login on is only logged in once the code is entered. The API is
    left to its own authentication (keys, or a verified session via SessionAuthentication)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(OPEN_PREFIXES) and needs_second_factor(request):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse(
                    {
                        "error": {
                            "code": "second_factor_required",
                            "message": "Enter your two-factor code in the browser first.",
                            "fields": {},
                        }
                    },
                    status=403,
                )
            return redirect(f"{reverse('accounts:verify')}?next={request.get_full_path()}")
        return self.get_response(request)
