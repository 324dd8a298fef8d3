from django.shortcuts import redirect
from django.urls import reverse

from .services import needs_second_factor

# Reachable before the second factor: entering it, leaving, and the files those pages use.
OPEN_PREFIXES = ("/accounts/verify/", "/accounts/logout/", "/static/", "/healthz")


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
