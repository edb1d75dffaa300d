"""The payments and members lists: filtered, totalled in SQL, paginated, in a constant number
of queries whatever the page size (select_related and Exists, never a query per row)."""

from django import forms
from django.db.models import Count, Exists, OuterRef, Sum
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from cac_portal.forms import SearchField
from cac_portal.paging import Keyset, keyset_page
from dues.campaign import current_year
from dues.forms_desk import DuesYearField
from dues.models import Payment, PaymentMethod, PaymentStatus
from dues.views.desk import desk_required
from members.models import Member, MemberKind, fold
from members.search import search_members

PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
# The lists' unique orderings, read through their indexes (keyset pagination).
PAYMENTS_ORDER = Keyset(Payment, ["received_on", "id"], descending=True)
MEMBERS_ORDER = Keyset(Member, ["reference"])


def _blank(choices):
    return [("", _("Tous")), *choices]


class PaymentFilter(forms.Form):
    year = DuesYearField(label=_("Année"), required=False)
    method = forms.ChoiceField(
        label=_("Mode"), choices=_blank(PaymentMethod.choices), required=False
    )
    status = forms.ChoiceField(
        label=_("État"), choices=_blank(PaymentStatus.choices), required=False
    )
    deposited = forms.ChoiceField(
        label=_("Remis en banque"),
        choices=[("", _("Tous")), ("yes", _("remis")), ("no", _("pas encore remis"))],
        required=False,
    )
    kind = forms.ChoiceField(label=_("Membre"), choices=_blank(MemberKind.choices), required=False)


class MemberFilter(forms.Form):
    q = SearchField(label=_("Rechercher (nom, sigle, e-mail, référence, ville, téléphone)"))
    kind = forms.ChoiceField(label=_("Type"), choices=_blank(MemberKind.choices), required=False)
    up_to_date = DuesYearField(
        label=_("À jour pour l'année"),
        required=False,
        help_text=_("Un paiement reçu pour cette année."),
    )
    city = forms.CharField(label=_("Ville"), required=False)


def _size(request):
    try:
        return min(max(int(request.GET.get("par_page", PAGE_SIZE)), 1), MAX_PAGE_SIZE)
    except ValueError:
        return PAGE_SIZE


def _page(request, queryset, keyset, count):
    """The page asked for, by keyset (`cac_portal.paging`): page 1 000 costs what page 1 does."""
    return keyset_page(request.GET, queryset, keyset, size=_size(request), count=count)


def _querystring(request):
    params = request.GET.copy()
    for name in ("page", "apres", "avant"):
        params.pop(name, None)
    return params.urlencode()


def filter_payments(data):
    payments = Payment.objects.select_related("member", "deposit_slip")
    if data.get("year"):
        payments = payments.filter(year=data["year"])
    if data.get("method"):
        payments = payments.filter(method=data["method"])
    if data.get("status"):
        payments = payments.filter(status=data["status"])
    if data.get("deposited") == "yes":
        payments = payments.filter(deposit_slip__deposited_at__isnull=False)
    elif data.get("deposited") == "no":
        payments = payments.filter(deposit_slip__deposited_at__isnull=True)
    if data.get("kind"):
        payments = payments.filter(member__kind=data["kind"])
    return payments.order_by(*PAYMENTS_ORDER.order())


@desk_required
@require_GET
def payment_list(request):
    form = PaymentFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    payments = filter_payments(data)
    totals = payments.aggregate(count=Count("pk"), total=Sum("amount"))
    return render(
        request,
        "dues/desk/payment_list.html",
        {
            "form": form,
            "page": _page(request, payments, PAYMENTS_ORDER, totals["count"]),
            "totals": totals,
            "querystring": _querystring(request),
        },
    )


def _in_city(members, city):
    """The pks of `members` whose city is `city`, accents and case aside ("orleans" is
    "Orléans"): narrowed by the folded search column, then compared whole."""
    city = fold(city)
    candidates = members.filter(search_text__contains=city).values_list("pk", "city")
    return [pk for pk, their_city in candidates if fold(their_city) == city]


def _up_to_date(year):
    return Exists(
        Payment.objects.filter(member=OuterRef("pk"), year=year, status=PaymentStatus.RECEIVED)
    )


def filter_members(data, *, annotate=True):
    """The members list's rows for the filters in `data`, each annotated `up_to_date` for the
    year asked (the current one by default), unless `annotate` is False (a page of the list
    marks its own rows: `mark_up_to_date`); returns (members, year)."""
    year = data.get("up_to_date") or current_year()
    # A closed account stays in the list, as "Compte fermé" without its erased data.
    listed = Member.objects.filter(merged_into__isnull=True)
    members = search_members(data["q"]) if data.get("q") else listed
    if annotate or data.get("up_to_date"):
        members = members.annotate(up_to_date=_up_to_date(year))
    if data.get("kind"):
        members = members.filter(kind=data["kind"])
    if data.get("up_to_date"):
        members = members.filter(up_to_date=True)
    if data.get("city"):
        members = members.filter(pk__in=_in_city(members, data["city"]))
    return members.order_by("reference"), year


def mark_up_to_date(members, year):
    """Sets `up_to_date` on the rows of one page, in one query for the page (an EXISTS per
    row in the list's query made PostgreSQL read every payment of the year)."""
    paid = set(
        Payment.objects.filter(
            member__in=[m.pk for m in members], year=year, status=PaymentStatus.RECEIVED
        ).values_list("member_id", flat=True)
    )
    for member in members:
        member.up_to_date = member.pk in paid
    return members


@desk_required
@require_GET
def member_list(request):
    form = MemberFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    members, year = filter_members(data, annotate=False)
    count = members.count()
    page = _page(request, members, MEMBERS_ORDER, count)
    mark_up_to_date(page.object_list, year)
    return render(
        request,
        "dues/desk/member_list.html",
        {
            "form": form,
            "page": page,
            "year": year,
            "querystring": _querystring(request),
        },
    )
