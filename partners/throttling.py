from django.conf import settings
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle

from .permissions import partner_key


class PerClientRateThrottle(SimpleRateThrottle):
    """Counters per API key, one for reads and one for writes (rates "read" and "write"), or one per
    session user ("session"); anonymous requests are refused by authentication before they count.
    Rates come from settings.API_THROTTLE_RATES."""

    cache_format = "throttle:%(scope)s:%(ident)s"

    def __init__(self):
        # Rates are resolved per request in allow_request, once the client is known.
        pass

    def allow_request(self, request, view):
        key = partner_key(request)
        if key is not None:
            self.scope, ident = ("read" if request.method in SAFE_METHODS else "write"), key.prefix
        elif request.user and request.user.is_authenticated:
            self.scope, ident = "session", str(request.user.pk)
        else:
            return True
        self.rate = settings.API_THROTTLE_RATES[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.cache_format % {"scope": self.scope, "ident": ident}
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        return self.throttle_success()

    def get_cache_key(self, request, view):  # pragma: no cover - allow_request builds the key
        return None
