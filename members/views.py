"""The public directory, and the member space's pages of `members`: contact details (a new
email waits for its verification), the switch between the members a person may act for, and
who else has access (invite, remove, accept an invitation)."""

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cac_portal.forms import SearchForm
from members import accesses
from members.forms import CorrespondentInlineFormSet, InvitationForm, member_form_class
from members.models import Access, Invitation, Member
from members.services import request_email_change, update_contact
from members.submissions import once

DIRECTORY_PAGE_SIZE = 20


def directory(request):
    """Member organisations that opted in; two queries per page, however many members."""
    search = SearchForm(
        request.GET, label=_("Rechercher (nom, sigle, ville, activité)"), auto_id="directory-%s"
    )
    query = search.query
    members = Member.objects.in_directory().only(
        "name", "acronym", "directory_description", "city", "website", "reference"
    )
    if query:
        members = members.filter(
            Q(name__icontains=query)
            | Q(acronym__icontains=query)
            | Q(city__icontains=query)
            | Q(directory_description__icontains=query)
        )
    page = Paginator(members.order_by("name", "pk"), DIRECTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "members/directory.html", {"page": page, "query": query, "search": search}
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_contact(request):
    member = accesses.current_member(request)
    if member is None:
        return redirect("dues:account")
    form_class = member_form_class(member.kind)
    data = request.POST if request.method == "POST" else None
    form = form_class(data, instance=member)
    correspondents = (
        CorrespondentInlineFormSet(data, instance=member, prefix="corr")
        if member.is_organisation
        else None
    )
    if data is not None:
        valid = form.is_valid()
        if correspondents is not None:
            valid = correspondents.is_valid() and valid
        if valid:
            email = form.cleaned_data.get("email")
            member = update_contact(form, actor=request.user, correspondents=correspondents)
            messages.success(request, _("Vos coordonnées sont enregistrées."))
            if request_email_change(member, email, request=request, actor=request.user):
                messages.info(
                    request,
                    _(
                        "Nous avons envoyé un lien de vérification à %(new)s : cette adresse "
                        "remplacera %(old)s une fois vérifiée."
                    )
                    % {"new": email, "old": member.email or _("l'ancienne")},
                )
            return redirect("dues:account")
    member.refresh_from_db(fields=["email", "pending_email"])
    return render(
        request,
        "members/edit_contact.html",
        {"form": form, "correspondents": correspondents, "member": member},
    )


@login_required
@require_POST
def switch_member(request):
    """Act for another of the person's members (a reference they have access to)."""
    member = Member.objects.open().filter(reference=request.POST.get("member", "")).first()
    try:
        accesses.choose_member(request, member)
    except PermissionDenied:
        messages.error(request, _("Vous n'avez pas accès à ce membre."))
    return redirect("dues:account")


def _owned_member(request):
    """The member the person acts for, if they are one of its owners; else PermissionDenied."""
    member = accesses.current_member(request)
    accesses.owner_access(request.user, member)
    return member


@login_required
@require_POST
def invite(request):
    member = _owned_member(request)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        # The address as typed, its error next to it: corrected and sent from here.
        return render(request, "members/invite.html", {"form": form, "member": member}, status=400)
    email = form.cleaned_data["email"]
    once(
        form.cleaned_data["submission_key"],
        lambda: (accesses.invite(member, email, actor=request.user), {"email": email}),
        actor=request.user,
    )
    messages.success(
        request,
        _("Invitation envoyée à %(email)s : son lien est valable %(days)s jours.")
        % {"email": email, "days": accesses.INVITATION_DAYS},
    )
    return redirect("dues:account")


@login_required
@require_POST
def remove_access(request, pk):
    member = _owned_member(request)
    access = get_object_or_404(Access.objects.select_related("user"), pk=pk, member=member)
    try:
        accesses.remove_access(access, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(email)s n'a plus accès à cet espace.") % {"email": access.user.email}
        )
    return redirect("dues:account")


@login_required
@require_POST
def cancel_invitation(request, pk):
    member = _owned_member(request)
    invitation = get_object_or_404(Invitation, pk=pk, member=member)
    accesses.cancel_invitation(invitation, actor=request.user)
    messages.success(request, _("Invitation annulée."))
    return redirect("dues:account")


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """An invitation's link. Not logged in: log in, or sign up (the address the invitation was
    sent to counts as verified: the link proves it), then come back here. Logged in: the
    button accepts it for the account in use."""
    try:
        invited = accesses.invitation_from(token)
    except ValidationError as error:
        return render(request, "members/invitation.html", {"error": error.messages[0]}, status=400)
    if not request.user.is_authenticated:
        get_adapter(request).stash_verified_email(request, invited.email)
        return render(
            request,
            "members/invitation.html",
            {"invitation": invited, "next": reverse("members:invitation", args=[token])},
        )
    if request.method == "POST":
        try:
            access = accesses.accept_invitation(token, request.user)
        except ValidationError as error:
            return render(
                request, "members/invitation.html", {"error": error.messages[0]}, status=400
            )
        accesses.choose_member(request, access.member)
        messages.success(
            request,
            _("Vous avez maintenant accès à l'espace de %(member)s.")
            % {"member": access.member.display_name},
        )
        return redirect("dues:account")
    return render(request, "members/invitation.html", {"invitation": invited})
