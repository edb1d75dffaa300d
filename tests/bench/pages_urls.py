"""The portal's URLs plus `/bench/bare/`: a view that does nothing, behind the same middleware,
to measure what the framework alone costs on this machine (bench only)."""

from django.http import HttpResponse
from django.urls import path

from cac_portal.urls import urlpatterns as portal


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *portal]
