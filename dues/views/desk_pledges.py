"""Pledges to match: sent from the public form with a known member's address by someone not
logged in as that member, they wait, attached to nobody, until staff (or the address's owner)
attach them: to the member matched, to another member found with the desk's search, or to a
new member made from what the form said (after the duplicates check)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cac_portal.forms import SearchForm
from dues.models import Pledge
from dues.services.attaching import attach_pledge, create_member_for, proposal_data
from dues.services.confirmations import proposed_member
from dues.views.desk import desk_required, find_members
from members.duplicates import LikelyDuplicates, side_by_side
from members.models import Member


@desk_required
@require_GET
def pledge_list(request):
    pledges = Pledge.objects.to_match().select_related("matched_member").order_by("created_at")
    return render(request, "dues/desk/pledge_list.html", {"pledges": pledges[:500]})


def _other_member(request, pledge):
    value = str(request.POST.get("member") or "")
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        return None
    return Member.objects.open().filter(pk=int(value), kind=pledge.proposal.get("kind")).first()


def _act(request, pledge):
    """Carry out the POSTed action; returns the member attached to, or raises."""
    action = request.POST.get("action")
    note = _("par l'équipe")
    if action == "matched" and pledge.matched_member is not None:
        return attach_pledge(pledge, pledge.matched_member, actor=request.user, note=note).member
    if action == "other":
        member = _other_member(request, pledge)
        if member is None:
            raise ValidationError(_("Choisissez le membre auquel rattacher cette promesse."))
        return attach_pledge(pledge, member, actor=request.user, note=note).member
    if action == "create":
        return create_member_for(
            pledge, actor=request.user, create_anyway=request.POST.get("create_anyway") == "1"
        )
    raise ValidationError(_("Choisissez une action."))


@desk_required
@require_http_methods(["GET", "POST"])
def pledge_detail(request, pledge_reference):
    pledge = get_object_or_404(
        Pledge.objects.select_related("member", "matched_member"), reference=pledge_reference
    )
    search = SearchForm(request.GET, label=_("Rechercher un autre membre"), auto_id="other-%s")
    errors, candidates = [], None
    if request.method == "POST":
        try:
            member = _act(request, pledge)
        except LikelyDuplicates as duplicates:
            candidates = duplicates.candidates
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                _("Promesse %(reference)s rattachée à %(member)s.")
                % {"reference": pledge.reference, "member": member},
            )
            return redirect("dues:pledge_list")
    return render(
        request,
        "dues/desk/pledge_detail.html",
        {
            "pledge": pledge,
            "search": search,
            "errors": errors,
            **_proposal_context(pledge, search.query, candidates),
        },
        status=400 if errors else 200,
    )


def _proposal_context(pledge, query, candidates):
    """What the form said, the members a search found, the likely duplicates side by side."""
    if not pledge.proposal:
        return {}
    kind, data, correspondents = proposal_data(pledge)
    return {
        "proposed": proposed_member(pledge),
        "correspondents": correspondents,
        "found": [m for m in find_members(query) if m.kind == kind] if query else [],
        "candidates": candidates,
        "comparison": side_by_side(kind, data, candidates) if candidates else None,
    }
