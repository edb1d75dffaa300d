"""The staff's pages about one member: its record (status, pledges, payments, receipts, who
may log in), its accesses (add, remove), a new member typed by staff (after the duplicates
check), and the merge of two records of one member.

The work is done by `members` (accesses, duplicates, merging); these pages parse and show.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cac_portal.forms import SearchForm, SubmissionKeyForm
from dues.models import PaymentStatus
from dues.services.pledges import create_member
from dues.views.desk import desk_required, find_members
from dues.views.desk_personal import member_history
from members import accesses, personal_data
from members.duplicates import (
    LikelyDuplicates,
    check_before_creating,
    record_created_anyway,
    side_by_side,
)
from members.forms import KIND_CHOICES, StaffAccessForm, member_form_class
from members.merging import MergeRefused, blockers, merge_members, mergeable_fields
from members.models import Access, Member, MemberKind
from members.submissions import once, previous


def _member(reference):
    return get_object_or_404(Member.objects.select_related("merged_into"), reference=reference)


@desk_required
@require_GET
def member_detail(request, reference):
    member = _member(reference)
    # Every opening of a member's record by the team is in its history.
    personal_data.record_view(member, actor=request.user)
    paid = member.payments.filter(status=PaymentStatus.RECEIVED)
    return render(
        request,
        "dues/desk/member_detail.html",
        {
            "member": member,
            "merged_records": member.merged_records.order_by("merged_at"),
            "pledges": member.pledges.order_by("-year", "-created_at"),
            "payments": member.payments.order_by("-received_on", "-pk"),
            "paid_years": sorted(set(paid.values_list("year", flat=True)), reverse=True),
            # Listed through the reverse relation: dues does not import receipts.
            "receipts": member.receipts.order_by("-issued_at"),
            "accesses": member.accesses.select_related("user"),
            "history": member_history(member),
        },
    )


def _verified_user(email):
    """The account whose verified address is `email`, or None."""
    return (
        get_user_model()
        .objects.filter(emailaddress__email__iexact=email, emailaddress__verified=True)
        .first()
    )


def _add_access(request, member, form):
    email, role = form.cleaned_data["email"], form.cleaned_data["role"]
    user = _verified_user(email)
    if user is not None:
        accesses.grant_access(member, user, role=role, actor=request.user, note=_("par l'équipe"))
        messages.success(request, _("%(email)s a maintenant accès.") % {"email": user.email})
        return {"granted": user.pk}
    else:
        accesses.invite(member, email, role=role, actor=request.user)
        messages.success(
            request,
            _("Aucun compte vérifié n'a cette adresse : invitation envoyée à %(email)s.")
            % {"email": email},
        )
        return {"invited": email}


def _remove_access(request, member):
    access = member.accesses.select_related("user").filter(pk=_int(request.POST.get("access")))
    access = access.first()
    if access is None:
        messages.error(request, _("Cet accès n'existe plus."))
        return
    try:
        accesses.remove_access(access, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Accès de %(email)s retiré.") % {"email": access.user.email})


def _int(value):
    value = str(value or "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


@desk_required
@require_http_methods(["GET", "POST"])
def member_accesses(request, reference):
    """Who may log into the member's space: add one (an account at once, or an invitation),
    remove one. Every change is audited by `members.accesses`."""
    member = _member(reference)
    form = StaffAccessForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST" and request.POST.get("action") == "remove":
        _remove_access(request, member)
        return redirect("dues:member_accesses", reference=member.reference)
    if form.is_bound and form.is_valid():
        once(
            form.cleaned_data["submission_key"],
            lambda: (member, _add_access(request, member, form)),
            actor=request.user,
        )
        return redirect("dues:member_accesses", reference=member.reference)
    return render(
        request,
        "dues/desk/member_accesses.html",
        {
            "member": member,
            "accesses": member.accesses.select_related("user", "invited_by"),
            "invitations": member.invitations.filter(
                accepted_at__isnull=True, cancelled_at__isnull=True
            ),
            "form": form,
            "roles": Access.Role,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _new_member_form(request):
    data = request.POST if request.method == "POST" else None
    kind = (data or request.GET).get("kind")
    kind = kind if kind in MemberKind.values else MemberKind.INDIVIDUAL
    return kind, member_form_class(kind)(data, prefix=kind[:3], require_email=False)


def _create_member(request, kind, form):
    def create():
        with transaction.atomic():
            candidates = check_before_creating(
                kind,
                form.cleaned_data,
                create_anyway=request.POST.get("create_anyway") == "1",
            )
            member = create_member(kind, form.contact_data(), actor=request.user, source="desk")
            record_created_anyway(member, candidates, actor=request.user)
        return member, {"reference": member.reference}

    return once(SubmissionKeyForm(request.POST).key, create, actor=request.user)


@desk_required
@require_http_methods(["GET", "POST"])
def member_new(request):
    """A member typed by staff (an organisation met at an event, a gift without a form): the
    likely duplicates are shown first, as for the paper form."""
    kind, form = _new_member_form(request)
    candidates = None
    if form.is_bound and form.is_valid():
        try:
            outcome = _create_member(request, kind, form)
        except LikelyDuplicates as duplicates:
            candidates = duplicates.candidates
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Membre %(member)s créé.") % {"member": outcome.target})
            return redirect("dues:member_detail", reference=outcome.result["reference"])
    return render(
        request,
        "dues/desk/member_new.html",
        {
            "kind": kind,
            "kinds": KIND_CHOICES,
            "form": form,
            "key": SubmissionKeyForm(request.POST or None),
            "candidates": candidates,
            "comparison": (
                side_by_side(kind, form.cleaned_data, candidates) if candidates else None
            ),
        },
    )


def _pick(query):
    """(the member a merge box designates, the members it could mean): one match is picked."""
    query = (query or "").strip()
    if not query:
        return None, []
    found = list(find_members(query))
    return (found[0] if len(found) == 1 else None), found


def _merge_rows(survivor, merged):
    return [
        {
            "name": name,
            "label": Member._meta.get_field(name).verbose_name,
            "survivor": getattr(survivor, name),
            "merged": getattr(merged, name),
            "differs": getattr(survivor, name) != getattr(merged, name),
        }
        for name in mergeable_fields(survivor.kind)
    ]


def _holdings(member):
    """What each record has, counted: what the merge moves."""
    return {
        "pledges": member.pledges.count(),
        "payments": member.payments.count(),
        "receipts": member.receipts.count(),
        "accesses": member.accesses.count(),
        "correspondents": member.correspondents.count(),
    }


def _merge_context(survivor, merged):
    if survivor is None or merged is None:
        return {}
    return {
        "rows": _merge_rows(survivor, merged),
        "holdings": [_holdings(survivor), _holdings(merged)],
        "reasons": blockers(survivor, merged),
    }


def _post_merge(request):
    survivor = Member.objects.filter(reference=request.POST.get("survivor", "")).first()
    merged = Member.objects.filter(reference=request.POST.get("merged", "")).first()
    if survivor is None or merged is None:
        raise MergeRefused(_("Choisissez les deux fiches à fusionner."))
    chosen = [
        name
        for name in mergeable_fields(survivor.kind)
        if request.POST.get(f"field_{name}") == "merged"
    ]
    return once(
        SubmissionKeyForm(request.POST).key,
        lambda: (
            merge_members(
                survivor=survivor, merged=merged, fields_from_merged=chosen, actor=request.user
            ),
            {"survivor": survivor.reference, "merged": merged.reference},
        ),
        actor=request.user,
    )


@desk_required
@require_http_methods(["GET", "POST"])
def merge(request):
    """Two records of one member: pick them (the desk's search), see them side by side,
    choose which value of each field survives, confirm. Refused with its reasons."""
    source = request.POST if request.method == "POST" else request.GET
    survivor_box = SearchForm({"q": source.get("survivant", "")}, auto_id="survivor-%s")
    merged_box = SearchForm({"q": source.get("doublon", "")}, auto_id="merged-%s")
    survivor, survivor_found = _pick(survivor_box.query or source.get("survivor"))
    merged, merged_found = _pick(merged_box.query or source.get("merged"))
    refusal = None
    if request.method == "POST":
        sent = previous(SubmissionKeyForm(request.POST).key, actor=request.user)
        if sent is not None:
            return redirect("dues:member_detail", reference=sent.result["survivor"])
        try:
            outcome = _post_merge(request)
        except ValidationError as error:
            refusal = error.messages
        else:
            messages.success(
                request,
                _("%(merged)s est fusionné dans %(survivor)s.") % outcome.result,
            )
            return redirect(reverse("dues:member_detail", args=[outcome.result["survivor"]]))
    return render(
        request,
        "dues/desk/merge.html",
        {
            "survivor_box": survivor_box,
            "merged_box": merged_box,
            "survivor": survivor,
            "merged": merged,
            "survivor_found": survivor_found,
            "merged_found": merged_found,
            "refusal": refusal,
            "key": SubmissionKeyForm(),
            **_merge_context(survivor, merged),
        },
        status=400 if refusal else 200,
    )
