from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cac_portal import published as published_cache
from charter import published, services
from charter.models import Charter
from members.accesses import current_member


def home(request):
    collective = published.collective()
    paragraphs = [p for p in (collective.introduction if collective else "").split("\n\n") if p]
    return render(request, "charter/home.html", {"paragraphs": paragraphs})


def _versions_in_force():
    return list(Charter.objects.in_force().only("version", "title", "effective_on"))


def _render_charter(request, charter):
    others = [
        other
        for other in published_cache.remember("charter.versions", _versions_in_force)
        if other.pk != charter.pk
    ]
    current = published.current_charter()
    return render(
        request,
        "charter/charter.html",
        {
            "charter": charter,
            "principles": charter.principles.all(),
            "is_current": current is not None and current.pk == charter.pk,
            "other_versions": others,
            # The same for every visitor until an administrator edits a charter.
            "fragment": f"charter.page.{charter.version}",
        },
    )


def charter_current(request):
    charter = published.current_charter()
    if charter is None:
        raise Http404("no charter in force")
    return _render_charter(request, charter)


def charter_version(request, version):
    return _render_charter(request, get_object_or_404(Charter.objects.in_force(), version=version))


def privacy_notice(request):
    notice = published.current_privacy_notice()
    if notice is None:
        raise Http404("no privacy notice in force")
    return render(request, "charter/privacy.html", {"notice": notice})


class ResubscribeForm(forms.Form):
    accept = forms.BooleanField(
        label=_("Je souscris à cette version de la charte de principes"),
        error_messages={"required": _("Cochez la case pour souscrire à la charte.")},
    )


class PrivacyForm(forms.Form):
    accept = forms.BooleanField(
        label=_("J'ai lu cette politique de confidentialité et je l'accepte"),
        error_messages={"required": _("Cochez la case pour accepter la politique.")},
    )


def _pending(request):
    """(member, charter or None, notice or None) of the logged-in member; None if nothing."""
    member = current_member(request)
    if member is None:
        return None
    charter = services.pending_charter(member)
    notice = services.pending_privacy_notice(member)
    return (member, charter, notice) if charter or notice else None


@login_required
@require_http_methods(["GET", "POST"])
def resubscribe(request):
    """A member is asked to subscribe to the charter (and privacy notice) in force, until done."""
    pending = _pending(request)
    if pending is None:
        return redirect("dues:account")
    member, charter, notice = pending
    data = request.POST if request.method == "POST" else None
    charter_form = ResubscribeForm(data, prefix="charter") if charter else None
    privacy_form = PrivacyForm(data, prefix="privacy") if notice else None
    forms_ = [f for f in (charter_form, privacy_form) if f is not None]
    if data is not None and all(f.is_valid() for f in forms_):
        services.resubscribe(member, charter=charter, notice=notice, actor=request.user)
        messages.success(request, _("Merci, votre souscription est enregistrée."))
        return redirect("dues:account")
    return render(
        request,
        "charter/resubscribe.html",
        {
            "charter": charter,
            "principles": charter.principles.all() if charter else [],
            "previous": services.last_accepted_charter(member),
            "notice": notice,
            "charter_form": charter_form,
            "privacy_form": privacy_form,
        },
    )
