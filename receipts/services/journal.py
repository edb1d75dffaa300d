"""The accountant's journal: the money of a period as double-entry lines, in the accounts of the
French associations' chart (ANC regulation 2018-06), which the treasurer may change.

Each piece balances (its debits equal its credits):
- a payment on the day it was received: debit the cheques to deposit (5112), the bank (512,
  transfers) or the cash (53); credit the dues (756) or the manual gifts (7541), by its
  pledge's purpose (a payment matched to no pledge is an adhesion);
- a deposit slip on the day it went to the bank: debit the bank, credit the cheques to
  deposit, for the slip's total;
- a bounced payment on the day it was marked rejected: the reverse of its first entry (the
  bank's when the cheque had been deposited by then).
A payment undone as an entry mistake (cancelled) never was: it has no line. Past payments
taken over by an import were booked in the old books: they have none either.
"""

import dataclasses
import datetime
import heapq
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField, Count, OuterRef, Subquery, Sum
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dues.models import DepositSlip, Payment, PaymentMethod, PaymentStatus, Purpose
from dues.services.exports import display_name
from members import audit
from members.models import AuditEntry
from receipts.models import AccountingSettings

CHUNK = 2000
ZERO = Decimal("0.00")


def header():
    return [
        _("Date"),
        _("Journal"),
        _("Pièce"),
        _("Compte"),
        _("Référence membre"),
        _("Libellé"),
        _("Débit"),
        _("Crédit"),
        _("Mode"),
        _("Bordereau"),
    ]


@dataclasses.dataclass
class Piece:
    """Two lines of the journal: `amount` from `credit` to `debit`."""

    date: datetime.date
    journal: str
    number: str
    debit: str
    credit: str
    amount: Decimal
    label: str
    reference: str = ""
    method: str = ""
    slip: str = ""

    def lines(self):
        common = [self.date, self.journal, self.number]
        tail = [self.method, self.slip]
        return [
            [*common, self.debit, self.reference, self.label, self.amount, None, *tail],
            [*common, self.credit, self.reference, self.label, None, self.amount, *tail],
        ]


def _bounds(start, end):
    """The period's first and last instants in the collective's time zone."""
    zone = timezone.get_current_timezone()
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    after = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)
    return first, after.replace(tzinfo=zone)


PAYMENT_FIELDS = [
    "pk",
    "received_on",
    "method",
    "amount",
    "year",
    "pledge__purpose",
    "member__reference",
    "member__kind",
    "member__last_name",
    "member__first_name",
    "member__name",
    "member__acronym",
    "deposit_slip__number",
]


def _booked():
    """Payments that reached the books: received, or received then bounced."""
    return Payment.objects.filter(
        status__in=[PaymentStatus.RECEIVED, PaymentStatus.REJECTED], is_imported=False
    )


def _income(accounts, purpose):
    if purpose == Purpose.DONATION:
        return accounts.donations_account
    return accounts.dues_account


def _treasury(accounts, method):
    """(journal, account debited) of a payment received by `method`."""
    if method == PaymentMethod.CASH:
        return accounts.cash_journal, accounts.cash_account
    if method == PaymentMethod.TRANSFER:
        return accounts.bank_journal, accounts.bank_account
    return accounts.bank_journal, accounts.cheques_account


def _payment_label(purpose, year, name):
    if purpose == Purpose.DONATION:
        return _("Don %(year)s — %(name)s") % {"year": year, "name": name}
    return _("Cotisation %(year)s — %(name)s") % {"year": year, "name": name}


def _piece_number(pk):
    return f"PAI-{pk:06d}"


def _received(accounts, start, end):
    payments = (
        _booked()
        .filter(received_on__gte=start, received_on__lte=end)
        .order_by("received_on", "pk")
        .values_list(*PAYMENT_FIELDS)
    )
    for pk, day, method, amount, year, purpose, reference, *name, slip in payments.iterator(
        chunk_size=CHUNK
    ):
        journal, debit = _treasury(accounts, method)
        yield Piece(
            date=day,
            journal=journal,
            number=_piece_number(pk),
            debit=debit,
            credit=_income(accounts, purpose),
            amount=amount,
            label=_payment_label(purpose, year, display_name(*name)),
            reference=reference,
            method=PaymentMethod(method).label,
            slip=slip or "",
        )


def _slips(start, end):
    first, after = _bounds(start, end)
    return (
        DepositSlip.objects.filter(deposited_at__gte=first, deposited_at__lt=after)
        .filter(payments__status__in=[PaymentStatus.RECEIVED, PaymentStatus.REJECTED])
        .annotate(total=Sum("payments__amount"), count=Count("payments"))
        .order_by("deposited_at", "pk")
    )


def _deposits(accounts, start, end):
    for slip in _slips(start, end).iterator(chunk_size=CHUNK):
        yield Piece(
            date=timezone.localtime(slip.deposited_at).date(),
            journal=accounts.bank_journal,
            number=slip.number,
            debit=accounts.bank_account,
            credit=accounts.cheques_account,
            amount=slip.total,
            label=ngettext(
                "Remise de chèques %(number)s (%(count)s chèque)",
                "Remise de chèques %(number)s (%(count)s chèques)",
                slip.count,
            )
            % {"number": slip.number, "count": slip.count},
            method=PaymentMethod.CHEQUE.label,
            slip=slip.number,
        )


def _rejected(start, end):
    """Bounced payments marked rejected within the period, with the time they were (from
    the audit trail; a row without its entry counts from the time it was saved)."""
    first, after = _bounds(start, end)
    marked = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Payment),
        object_id=Cast(OuterRef("pk"), CharField()),
        action=AuditEntry.Action.PAYMENT_REJECTED,
    ).order_by("-at")
    return (
        _booked()
        .filter(status=PaymentStatus.REJECTED)
        .annotate(rejected_at=Coalesce(Subquery(marked.values("at")[:1]), "created_at"))
        .filter(rejected_at__gte=first, rejected_at__lt=after)
        .order_by("rejected_at", "pk")
        .values_list(*PAYMENT_FIELDS, "status_reason", "rejected_at", "deposit_slip__deposited_at")
    )


def _reversals(accounts, start, end):
    for values in _rejected(start, end).iterator(chunk_size=CHUNK):
        pk, _day, method, amount, year, purpose, reference, *rest = values
        *name, slip, reason, rejected_at, deposited_at = rest
        journal, credit = _treasury(accounts, method)
        if deposited_at is not None and deposited_at <= rejected_at:
            credit = accounts.bank_account
        yield Piece(
            date=timezone.localtime(rejected_at).date(),
            journal=journal,
            number=f"{_piece_number(pk)}-R",
            debit=_income(accounts, purpose),
            credit=credit,
            amount=amount,
            label=_("Impayé (%(reason)s) — %(name)s")
            % {"reason": reason, "name": display_name(*name)},
            reference=reference,
            method=PaymentMethod(method).label,
            slip=slip or "",
        )


def pieces(start, end, accounts=None):
    """The period's pieces in date order (received, then deposits, then bounced on a same
    day), read in three streamed queries: the journal of a year never sits whole in memory."""
    accounts = accounts or AccountingSettings.load()
    return heapq.merge(
        _received(accounts, start, end),
        _deposits(accounts, start, end),
        _reversals(accounts, start, end),
        key=lambda piece: piece.date,
    )


def rows(start, end, accounts=None):
    """The CSV rows of the period: two per piece."""
    for piece in pieces(start, end, accounts):
        yield from piece.lines()


def count_rows(start, end):
    """How many rows `rows` gives for the period, counted by the database (three queries)."""
    received = _booked().filter(received_on__gte=start, received_on__lte=end).count()
    return 2 * (received + _slips(start, end).count() + _rejected(start, end).count())


def balances(start, end, accounts=None):
    """Debit and credit per account over the period: [(account, debit, credit)], sorted."""
    totals = {}
    for piece in pieces(start, end, accounts):
        totals.setdefault(piece.debit, [ZERO, ZERO])[0] += piece.amount
        totals.setdefault(piece.credit, [ZERO, ZERO])[1] += piece.amount
    return [(account, *totals[account]) for account in sorted(totals)]


ACCOUNTING_FIELDS = [*AccountingSettings.JOURNALS, *AccountingSettings.ACCOUNTS]


def update_accounting_settings(*, actor, **values):
    """Save the journal's accounts and journal codes (one row), with an audit entry.

    Invariants: only the known fields change; the database's constraints keep treasury
    accounts in class 5 and income accounts in class 7."""
    unknown = set(values) - set(ACCOUNTING_FIELDS)
    if unknown:
        raise TypeError(f"not an accounting setting: {sorted(unknown)}")
    with transaction.atomic():
        current = AccountingSettings.objects.select_for_update().order_by("pk").first()
        current = current or AccountingSettings()
        before = audit.snapshot(current, ACCOUNTING_FIELDS) if current.pk else {}
        for name, value in values.items():
            setattr(current, name, value)
        current.updated_at = timezone.now()
        current.save()
        audit.record(
            current,
            AuditEntry.Action.ACCOUNTING_CHANGED,
            actor=actor,
            before=before,
            after=audit.snapshot(current, ACCOUNTING_FIELDS),
        )
    return current
