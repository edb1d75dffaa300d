from django.http import Http404
from django.shortcuts import get_object_or_404, render

from charter.models import Charter, Collective, PrivacyNotice


def home(request):
    collective = Collective.load()
    paragraphs = [p for p in (collective.introduction if collective else "").split("\n\n") if p]
    return render(request, "charter/home.html", {"paragraphs": paragraphs})


def _render_charter(request, charter):
    others = (
        Charter.objects.in_force().exclude(pk=charter.pk).only("version", "title", "effective_on")
    )
    current = Charter.objects.current()
    return render(
        request,
        "charter/charter.html",
        {
            "charter": charter,
            "principles": charter.principles.all(),
            "is_current": current is not None and current.pk == charter.pk,
            "other_versions": others,
        },
    )


def charter_current(request):
    charter = Charter.objects.current()
    if charter is None:
        raise Http404("no charter in force")
    return _render_charter(request, charter)


def charter_version(request, version):
    return _render_charter(request, get_object_or_404(Charter.objects.in_force(), version=version))


def privacy_notice(request):
    notice = PrivacyNotice.objects.current()
    if notice is None:
        raise Http404("no privacy notice in force")
    return render(request, "charter/privacy.html", {"notice": notice})
