"""A URL map for one test: the real one plus views under /api/ that crash."""

from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from claimtrack.urls import urlpatterns as real_urlpatterns


def plain_django_crash(request):
    raise RuntimeError("secret internal detail")


@api_view(["GET"])
@permission_classes([AllowAny])
def drf_crash(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [
    path("api/test-crash/plain/", plain_django_crash),
    path("api/test-crash/drf/", drf_crash),
    *real_urlpatterns,
]
