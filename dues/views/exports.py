"""CSV exports of members, payments and pledges for the staff, with the lists' own filters.

Each export counts its rows (one query), leaves its audit entry, then streams the CSV through
the house's writer (`members.spreadsheets`). A filter that does not parse is shown back on the
exports page rather than exporting everything.
"""

from django import forms
from django.db.models import F
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from dues.models import Payment, Pledge, PledgeSource, Purpose
from dues.services import exports
from dues.views.desk import desk_required
from dues.views.lists import MemberFilter, PaymentFilter, filter_members, filter_payments
from members import spreadsheets
from members.models import AuditEntry, Member, MemberKind


def _blank(choices):
    return [("", _("Tous")), *choices]


class PledgeFilter(forms.Form):
    year = forms.IntegerField(label=_("Année"), required=False)
    purpose = forms.ChoiceField(label=_("Objet"), choices=_blank(Purpose.choices), required=False)
    kind = forms.ChoiceField(label=_("Membre"), choices=_blank(MemberKind.choices), required=False)
    source = forms.ChoiceField(
        label=_("Source"), choices=_blank(PledgeSource.choices), required=False
    )
    paid = forms.ChoiceField(
        label=_("Réglée"),
        choices=[("", _("Toutes")), ("yes", _("réglées")), ("no", _("pas encore réglées"))],
        required=False,
    )


def filter_pledges(data):
    pledges = exports.with_received(Pledge.objects.all())
    for field in ("year", "purpose", "source"):
        if data.get(field):
            pledges = pledges.filter(**{field: data[field]})
    if data.get("kind"):
        pledges = pledges.filter(member__kind=data["kind"])
    if data.get("paid") == "yes":
        pledges = pledges.filter(received__gte=F("amount"))
    elif data.get("paid") == "no":
        pledges = pledges.filter(received__lt=F("amount"))
    return pledges.order_by("-created_at", "-pk")


FORMS = {
    "members": (MemberFilter, "members_%s"),
    "payments": (PaymentFilter, "payments_%s"),
    "pledges": (PledgeFilter, "pledges_%s"),
}


def _forms(bound=None, which=None):
    return {
        name: form_class(
            bound if name == which else None, auto_id=auto_id, use_required_attribute=False
        )
        for name, (form_class, auto_id) in FORMS.items()
    }


def _filters(data):
    """The filters as the audit entry keeps them: only those given, as text."""
    return {name: str(value) for name, value in data.items() if value not in (None, "")}


def _export(request, which, *, build, model, action, filename):
    form = _forms(request.GET, which)[which]
    if not form.is_valid():
        return render(
            request, "dues/desk/exports.html", {"forms": _forms(request.GET, which)}, status=400
        )
    queryset, header, rows = build(form.cleaned_data)
    exports.record_export(
        action,
        model,
        actor=request.user,
        filters=_filters(form.cleaned_data),
        rows=queryset.count(),
    )
    stamp = timezone.localdate().isoformat()
    return spreadsheets.response(f"{filename}-{stamp}.csv", header, rows(queryset))


def _members(data):
    members, year = filter_members(data)
    return members, exports.member_header(year), exports.member_rows


def _payments(data):
    return filter_payments(data), exports.payment_header(), exports.payment_rows


def _pledges(data):
    return filter_pledges(data), exports.pledge_header(), exports.pledge_rows


@desk_required
@require_GET
def export_page(request):
    """The three exports, each with its filters."""
    return render(request, "dues/desk/exports.html", {"forms": _forms()})


@desk_required
@require_GET
def members_csv(request):
    return _export(
        request,
        "members",
        build=_members,
        model=Member,
        action=AuditEntry.Action.EXPORT_MEMBERS,
        filename="membres",
    )


@desk_required
@require_GET
def payments_csv(request):
    return _export(
        request,
        "payments",
        build=_payments,
        model=Payment,
        action=AuditEntry.Action.EXPORT_PAYMENTS,
        filename="paiements",
    )


@desk_required
@require_GET
def pledges_csv(request):
    return _export(
        request,
        "pledges",
        build=_pledges,
        model=Pledge,
        action=AuditEntry.Action.EXPORT_PLEDGES,
        filename="promesses",
    )
