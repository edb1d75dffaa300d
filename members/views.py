"""The public directory and the member's own contact page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cac_portal.forms import SearchForm
from members.forms import CorrespondentInlineFormSet, member_form_class
from members.models import Member
from members.services import update_contact

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
    member = getattr(request.user, "member", None)
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
            update_contact(form, actor=request.user, correspondents=correspondents)
            messages.success(request, _("Vos coordonnées sont enregistrées."))
            return redirect("dues:account")
    return render(
        request,
        "members/edit_contact.html",
        {"form": form, "correspondents": correspondents, "member": member},
    )
