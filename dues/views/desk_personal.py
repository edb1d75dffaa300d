"""The staff's side of personal data, on a member's record at /gestion/: its data as a ZIP (a
member without an account asks on paper), its closure on a written request (the request is
the reason), and the history of who saw and changed it. `members` does the work."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dues.views.desk import desk_required
from members import closure, personal_data
from members.forms import StaffCloseForm
from members.models import Member
from members.views_personal import closure_facts, zip_response


def related_rows(member):
    """The member's rows whose audit entries are part of its history."""
    return [member.pledges.all(), member.payments.all(), member.receipts.all()]


def member_history(member, limit=200):
    return personal_data.history(member, related_rows(member))[:limit]


@desk_required
@require_http_methods(["GET", "POST"])
def member_personal_data(request, reference):
    """A member's data as the member would download it (a member without an account asks on
    paper): the page says what the ZIP holds, its button builds it (recorded)."""
    member = get_object_or_404(Member, reference=reference)
    if request.method == "GET":
        return render(
            request,
            "dues/desk/member_personal_data.html",
            {"member": member, "keys": personal_data.KEYS},
        )
    if personal_data.is_large(member):
        personal_data.request_archive(member, actor=request.user)
        messages.success(
            request,
            _("Le fichier est en préparation : un lien vous sera envoyé à %(email)s.")
            % {"email": request.user.email},
        )
        return redirect("dues:member_detail", reference=member.reference)
    data = personal_data.download(member, actor=request.user, note=_("par l'équipe"))
    return zip_response(data, personal_data.archive_name(member))


@desk_required
@require_http_methods(["GET", "POST"])
def member_close(request, reference):
    member = get_object_or_404(Member, reference=reference, merged_into__isnull=True)
    form = StaffCloseForm(request.POST or None)
    if member.erased_at is None and form.is_bound and form.is_valid():
        try:
            closure.close_member(member, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Le compte %(reference)s est fermé et ses données personnelles effacées.")
                % {"reference": member.reference},
            )
        return redirect("dues:member_detail", reference=member.reference)
    return render(
        request,
        "dues/desk/member_close.html",
        {"member": member, "form": form, **closure_facts()},
        status=400 if form.is_bound else 200,
    )
