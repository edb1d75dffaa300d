"""The member space's personal data pages: download one's data (`/compte/donnees/`) and close
one's account (`/compte/fermer/`), for the member the person acts for (a person with access
downloads; an owner closes). The work is done in `members.personal_data` and
`members.closure`."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from members import accesses, closure, personal_data
from members.forms import CloseAccountForm
from members.models import Member


def zip_response(data, name):
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _member_or_404(request):
    member = accesses.current_member(request)
    if member is None:
        raise Http404
    return member


@login_required
@require_http_methods(["GET", "POST"])
def download(request):
    member = _member_or_404(request)
    large = personal_data.is_large(member)
    if request.method == "POST":
        if not large:
            data = personal_data.download(member, actor=request.user)
            return zip_response(data, personal_data.archive_name(member))
        personal_data.request_archive(member, actor=request.user)
        messages.success(
            request,
            _("Votre fichier est en préparation : un lien vous sera envoyé à %(email)s.")
            % {"email": request.user.email},
        )
        return redirect("members:personal_data")
    return render(
        request,
        "members/personal_data.html",
        {"member": member, "large": large, "keys": personal_data.KEYS},
    )


@login_required
@require_GET
def download_link(request, token):
    """The emailed link of a large download: for the person it was sent to, while they still
    have access to the member, PERSONAL_DATA_LINK_DAYS days."""
    try:
        member_pk, user_pk, name = personal_data.read_link(token)
    except signing.BadSignature:
        raise Http404 from None
    member = Member.objects.filter(pk=member_pk).first()
    if user_pk != request.user.pk or not accesses.has_access(request.user, member):
        raise Http404
    try:
        data = personal_data.stored_archive(name)
    except FileNotFoundError:
        raise Http404 from None
    return zip_response(data, personal_data.archive_name(member))


def _closable_member(request):
    member = _member_or_404(request)
    access = accesses.access_of(request.user, member)
    if access is None or not access.is_owner:
        raise Http404
    return member


@login_required
@require_http_methods(["GET", "POST"])
def close(request):
    member = _closable_member(request)
    form = CloseAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        reference = member.reference
        closure.close_member(member, actor=request.user, reason=_("à la demande du membre"))
        login_kept = get_user_model().objects.filter(pk=request.user.pk).exists()
        if not login_kept:
            logout(request)
        return render(
            request, "members/closed.html", {"reference": reference, "login_kept": login_kept}
        )
    return render(
        request,
        "members/close.html",
        {"member": member, "form": form, **closure_facts()},
        status=400 if form.is_bound else 200,
    )


def closure_facts():
    """What the closure page and the staff's closure page say is kept, and for how long."""
    return {
        "kept_fields": closure.KEPT_FIELDS,
        "receipt_years": settings.RETENTION_RECEIPT_YEARS,
        "payment_years": settings.RETENTION_PAYMENT_YEARS,
    }
