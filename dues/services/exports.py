"""The CSV exports of members, payments and pledges, and the audit entry each export leaves.

Rows are read with `values_list(...).iterator()`: the database hands them over in chunks and
the CSV writer streams them out, so an export of 100 000 members holds a few thousand rows in
memory at most. Headers use the words the import understands, so that an export can be
imported back (and then changes nothing).
"""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from dues.models import Payment, PaymentMethod, PaymentStatus, PledgeSource, Purpose
from members import audit
from members.models import SPREADSHEET_FIELDS, MemberKind
from members.validators import format_phone

CHUNK = 2000


def display_name(kind, last_name, first_name, name, acronym):
    """`Member.display_name` from a row's values, without loading the member."""
    if kind == MemberKind.ORGANISATION:
        return f"{name} ({acronym})" if acronym else name
    return " ".join(part for part in (first_name, last_name) if part)


def _label(choices, value):
    return choices(value).label if value in choices.values else value


def readable_phone(value):
    """A stored E.164 number as people write it: French ones the quick way (an export formats
    tens of thousands), the others through `format_phone`."""
    if len(value) == 12 and value.startswith("+33") and value[3:].isascii() and value[3:].isdigit():
        digits = "0" + value[3:]
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    return format_phone(value)


def _local(moment):
    return timezone.localtime(moment).date() if moment else None


MEMBER_FIELDS = [
    "reference",
    *SPREADSHEET_FIELDS,
    "directory_opt_in",
    "up_to_date",
    "last_year",
    "created_at",
]
PHONES = {"phone_professional", "phone_home", "phone", "phone_mobile"}


def member_header(year):
    return [
        _("Référence"),
        _("Type"),
        _("Nom"),
        _("Prénom"),
        _("Structure"),
        _("Sigle"),
        _("Association / activité"),
        _("Fonction"),
        _("E-mail"),
        _("Tél. professionnel"),
        _("Tél. domicile"),
        _("Téléphone"),
        _("Mobile"),
        _("Site internet"),
        _("Adresse"),
        _("Code postal"),
        _("Ville"),
        _("Pays"),
        _("Budget annuel"),
        _("Annuaire"),
        _("À jour %(year)s") % {"year": year},
        _("Dernière année à jour"),
        _("Créé le"),
    ]


def member_rows(members):
    """The export's rows of `members` (annotated `up_to_date`, see `filter_members`): phones
    written the way people read them, the last year the member was up to date."""
    last_year = (
        Payment.objects.valid().filter(member=OuterRef("pk")).order_by("-year").values("year")[:1]
    )
    rows = members.annotate(last_year=Subquery(last_year)).values_list(*MEMBER_FIELDS)
    kind = MEMBER_FIELDS.index("kind")
    phones = [MEMBER_FIELDS.index(name) for name in PHONES]
    created = MEMBER_FIELDS.index("created_at")
    for values in rows.iterator(chunk_size=CHUNK):
        row = list(values)
        row[kind] = _label(MemberKind, row[kind])
        for index in phones:
            row[index] = readable_phone(row[index])
        row[created] = _local(row[created])
        yield row


PAYMENT_FIELDS = [
    "received_on",
    "member__reference",
    "member__kind",
    "member__last_name",
    "member__first_name",
    "member__name",
    "member__acronym",
    "year",
    "pledge__purpose",
    "method",
    "amount",
    "cheque_number",
    "bank",
    "drawer",
    "status",
    "status_reason",
    "deposit_slip__number",
    "deposit_slip__deposited_at",
    "is_imported",
    "created_at",
]


def payment_header():
    return [
        _("Reçu le"),
        _("Référence"),
        _("Membre"),
        _("Type"),
        _("Année de cotisation"),
        _("Objet"),
        _("Mode"),
        _("Montant"),
        _("N° de chèque"),
        _("Banque"),
        _("Tireur"),
        _("État"),
        _("Motif"),
        _("Bordereau"),
        _("Remis en banque le"),
        _("Repris d'un ancien fichier"),
        _("Saisi le"),
    ]


def payment_rows(payments):
    """The export's rows of `payments` (the payments list's queryset); a payment matched to no
    pledge counts as adhesion, as in the dashboard and the accountant's journal."""
    for values in payments.values_list(*PAYMENT_FIELDS).iterator(chunk_size=CHUNK):
        (received_on, reference, kind, last, first, name, acronym, year, purpose) = values[:9]
        (method, amount, number, bank, drawer, status, reason, slip, deposited) = values[9:18]
        is_imported, created_at = values[18:]
        yield [
            received_on,
            reference,
            display_name(kind, last, first, name, acronym),
            _label(MemberKind, kind),
            year,
            _label(Purpose, purpose or Purpose.ADHESION),
            _label(PaymentMethod, method),
            amount,
            number,
            bank,
            drawer,
            _label(PaymentStatus, status),
            reason,
            slip,
            _local(deposited),
            is_imported,
            _local(created_at),
        ]


PLEDGE_FIELDS = [
    "created_at",
    "member__reference",
    "member__kind",
    "member__last_name",
    "member__first_name",
    "member__name",
    "member__acronym",
    "year",
    "purpose",
    "amount",
    "source",
    "received",
]


def pledge_header():
    return [
        _("Créée le"),
        _("Référence"),
        _("Membre"),
        _("Type"),
        _("Année"),
        _("Objet"),
        _("Montant promis"),
        _("Source"),
        _("Montant reçu"),
        _("Réglée"),
    ]


def with_received(pledges):
    """`pledges` annotated with `received`: the sum of their received payments (0 if none)."""
    received = (
        Payment.objects.valid()
        .filter(pledge=OuterRef("pk"))
        .values("pledge")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return pledges.annotate(
        received=Coalesce(
            Subquery(received, output_field=DecimalField(max_digits=12, decimal_places=2)),
            Value(Decimal("0.00")),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        )
    )


def pledge_rows(pledges):
    """The export's rows of `pledges` (annotated by `with_received`)."""
    for values in pledges.values_list(*PLEDGE_FIELDS).iterator(chunk_size=CHUNK):
        created_at, reference, kind, last, first, name, acronym = values[:7]
        year, purpose, amount, source, received = values[7:]
        yield [
            _local(created_at),
            reference,
            display_name(kind, last, first, name, acronym),
            _label(MemberKind, kind),
            year,
            _label(Purpose, purpose),
            amount,
            _label(PledgeSource, source),
            received,
            received >= amount,
        ]


def record_export(action, model, *, actor, filters, rows):
    """The audit entry of an export: who, which filters, how many rows.

    Written when the export is asked for, before the first row leaves: a download cut short
    still shows who asked for which data. The target is the exported table itself."""
    with transaction.atomic():
        return audit.record(
            ContentType.objects.get_for_model(model),
            action,
            actor=actor,
            after={"filters": filters, "rows": rows},
        )
