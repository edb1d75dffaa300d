"""Issuing receipts: one per organisation payment, one yearly summary per individual.

Invariants kept here: a payment is in at most one valid receipt (the partial unique constraint
on ReceiptLine says so too); the number is taken in the inserting transaction; the donor's and
the beneficiary's details are copied at issue time, so the receipt never changes afterwards.
Every function is idempotent: it looks for the receipt that should exist before making one.
"""

import logging
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from charter.models import Collective
from dues.models import Payment, PaymentStatus, Scale
from members import audit
from members.audit import acting_user
from members.models import AuditEntry, Member, MemberKind
from receipts.models import Receipt, ReceiptKind, ReceiptLine, ReceiptStatus
from receipts.services.numbering import take_receipt_number, take_receipt_numbers

logger = logging.getLogger(__name__)

AUDITED_FIELDS = [
    "number",
    "kind",
    "is_fiscal",
    "member",
    "fiscal_year",
    "amount",
    "issued_on",
    "status",
    "replaces",
    "donor_name",
    "donor_address",
]

# The rates the law gave when this code was written; the scale of the year overrides them.
DEFAULT_RATES = {"individual": Decimal("0.66"), "corporate": Decimal("0.60")}


class ReceiptError(Exception):
    """A receipt cannot be issued as asked (missing identity of the collective...)."""


def beneficiary_snapshot(collective, fiscal_year):
    """What the receipt says about the collective, frozen at issue time."""
    if collective is None:
        raise ReceiptError(_("L'identité du collectif n'est pas renseignée."))
    scale = Scale.objects.filter(year=fiscal_year).first()
    return {
        "name": collective.name,
        "acronym": collective.acronym,
        "address": collective.postal_address,
        "object": collective.object,
        "legal_quality": collective.legal_quality,
        "registration_number": collective.registration_number,
        "signatory_name": collective.signatory_name,
        "signatory_title": collective.signatory_title,
        "signature_place": collective.signature_place or collective.city,
        "signature": collective.signature.name if collective.signature else "",
        "individual_rate": str(scale.tax_reduction_rate if scale else DEFAULT_RATES["individual"]),
        "corporate_rate": str(
            scale.corporate_tax_reduction_rate if scale else DEFAULT_RATES["corporate"]
        ),
    }


def donor_fields(member):
    """The donor's details as the receipt keeps them (copied, never followed)."""
    fields = {
        "donor_kind": member.kind,
        "donor_name": member.display_name,
        "donor_address": member.postal_address,
        "donor_email": member.email,
        "donor_siren": "",
        "donor_legal_form": "",
    }
    if member.kind == MemberKind.ORGANISATION:
        fields["donor_siren"] = member.siren
        fields["donor_legal_form"] = member.legal_form
    return fields


def _new_receipt(
    *, member, kind, is_fiscal, fiscal_year, payments, actor, replaces=None, beneficiary=None
):
    """The receipt's row, not saved yet and without its number (taken when it is inserted). A
    batch passes the `beneficiary` it copied once for all its receipts."""
    if not payments:
        raise ReceiptError("a receipt covers at least one payment")
    beneficiary = beneficiary or beneficiary_snapshot(Collective.load(), fiscal_year)
    if is_fiscal and not beneficiary["registration_number"]:
        raise ReceiptError(
            _("Un reçu fiscal exige le numéro RNA ou SIREN du collectif : renseignez-le.")
        )
    return Receipt(
        kind=kind,
        is_fiscal=is_fiscal,
        member=member,
        fiscal_year=fiscal_year,
        amount=sum((p.amount for p in payments), Decimal("0")),
        replaces=replaces,
        beneficiary=beneficiary,
        issued_by=acting_user(actor),
        **donor_fields(member),
    )


def _new_lines(receipt, payments):
    return [
        ReceiptLine(
            receipt=receipt,
            payment=p,
            amount=p.amount,
            received_on=p.received_on,
            method=p.method,
        )
        for p in sorted(payments, key=lambda p: (p.received_on, p.pk))
    ]


def _insert_receipt(
    *, member, kind, is_fiscal, fiscal_year, payments, actor, replaces=None, beneficiary=None
):
    """Insert one receipt and its lines. Runs inside the caller's transaction. A batch passes
    the `beneficiary` it copied once for all its receipts."""
    receipt = _new_receipt(
        member=member,
        kind=kind,
        is_fiscal=is_fiscal,
        fiscal_year=fiscal_year,
        payments=payments,
        actor=actor,
        replaces=replaces,
        beneficiary=beneficiary,
    )
    receipt.issued_on = timezone.localdate()
    receipt.number = take_receipt_number(receipt.issued_on)
    receipt.save(force_insert=True)
    lines = ReceiptLine.objects.bulk_create(_new_lines(receipt, payments))
    # Rendering right after reads the lines from here rather than from the database.
    receipt._prefetched_objects_cache = {"lines": lines}
    audit.record(
        receipt, "receipt.issued", actor=actor, after=audit.snapshot(receipt, AUDITED_FIELDS)
    )
    return receipt


def valid_receipt_of_payment(payment_id):
    line = (
        ReceiptLine.objects.filter(payment_id=payment_id, is_valid=True)
        .select_related("receipt")
        .first()
    )
    return line.receipt if line else None


def issue_organisation_receipt(payment_id, *, actor=None):
    """The receipt of one organisation payment: the existing valid one, or a new one.

    Returns None when the payment is not (or no longer) a received organisation payment.
    Safe to call twice, from two workers at once: the payment row is locked while looking, and
    the partial unique constraint on the lines turns a lost race into the existing receipt.
    """
    existing = valid_receipt_of_payment(payment_id)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            payment = (
                Payment.objects.select_for_update()
                .select_related("member")
                .filter(pk=payment_id)
                .first()
            )
            if (
                payment is None
                or payment.status != PaymentStatus.RECEIVED
                or payment.member.kind != MemberKind.ORGANISATION
            ):
                return None
            existing = valid_receipt_of_payment(payment_id)
            if existing is not None:
                return existing
            return _insert_receipt(
                member=payment.member,
                kind=ReceiptKind.ORGANISATION,
                is_fiscal=payment.member.is_liable_to_corporate_tax,
                fiscal_year=payment.year,
                payments=[payment],
                actor=actor,
            )
    except IntegrityError:
        existing = valid_receipt_of_payment(payment_id)
        if existing is None:
            raise
        return existing


def uncovered_payments(member_id, fiscal_year):
    """The member's received payments of `fiscal_year` that no valid receipt covers yet."""
    return list(
        Payment.objects.valid()
        .filter(member_id=member_id, year=fiscal_year)
        .exclude(receipt_lines__is_valid=True)
        .order_by("received_on", "pk")
    )


def issue_annual_receipt(member_id, fiscal_year, *, actor=None, beneficiary=None, group=None):
    """An individual's yearly summary covering every received payment of `fiscal_year`.

    Returns (receipt, created). A member who already has a valid summary for that year keeps it
    (a later payment is added by cancel-and-reissue, see `batch.py`); one with nothing to cover
    gets None. Safe to call twice at once: the member's row is locked while looking, and the
    partial unique constraint (one valid summary per member and year) is the backstop.

    With `group` (an `AnnualGroup` that read this member), the batch's way: what the group read
    under its lock is used, and a new summary is returned unsaved, without its number, for
    `AnnualGroup.insert` to insert with the group's others.
    """
    read = group.read(member_id) if group is not None else None
    if read is not None:
        member, existing, payments = read
        if existing is not None:
            return existing, False
        if not payments or member.kind != MemberKind.INDIVIDUAL:
            return None, False
        return group.plan(member, payments, actor=actor, beneficiary=beneficiary), True
    try:
        with transaction.atomic():
            member = Member.objects.select_for_update().get(pk=member_id)
            existing = (
                Receipt.objects.valid()
                .filter(member=member, fiscal_year=fiscal_year, kind=ReceiptKind.ANNUAL)
                .first()
            )
            if existing is not None:
                return existing, False
            payments = uncovered_payments(member_id, fiscal_year)
            if not payments or member.kind != MemberKind.INDIVIDUAL:
                return None, False
            receipt = _insert_receipt(
                member=member,
                kind=ReceiptKind.ANNUAL,
                is_fiscal=True,
                fiscal_year=fiscal_year,
                payments=payments,
                actor=actor,
                beneficiary=beneficiary,
            )
            return receipt, True
    except IntegrityError:
        existing = (
            Receipt.objects.valid()
            .filter(member_id=member_id, fiscal_year=fiscal_year, kind=ReceiptKind.ANNUAL)
            .first()
        )
        if existing is None:
            raise
        return existing, False


class AnnualGroup:
    """A group of the January batch's members, read and inserted a few statements at a time.

    Made inside the group's transaction: the members' rows are locked in one statement (in
    primary key order, so that two workers on overlapping groups wait for each other rather
    than deadlock), then their valid summaries of the year and their uncovered payments are
    read in one statement each. Under that lock, this is what `issue_annual_receipt` reads
    member by member, and nobody else can issue a summary for these members until the group
    commits. `insert` then numbers and inserts the planned summaries together; the unique
    constraints stay the backstop (the caller falls back to the member-by-member path).
    """

    def __init__(self, member_ids, fiscal_year):
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("AnnualGroup() must run inside transaction.atomic()")
        self.fiscal_year = fiscal_year
        self.members = {
            member.pk: member
            for member in Member.objects.select_for_update()
            .filter(pk__in=member_ids)
            .order_by("pk")
        }
        self.existing = {
            receipt.member_id: receipt
            for receipt in Receipt.objects.valid().filter(
                member_id__in=list(self.members), fiscal_year=fiscal_year, kind=ReceiptKind.ANNUAL
            )
        }
        self.payments = {}
        for payment in (
            Payment.objects.valid()
            .filter(member_id__in=list(self.members), year=fiscal_year)
            .exclude(receipt_lines__is_valid=True)
            .order_by("member_id", "received_on", "pk")
        ):
            self.payments.setdefault(payment.member_id, []).append(payment)
        self.planned = {}  # member id -> the payments of its planned summary
        self._unread = set(self.members)
        self._kept = set()  # read with a valid summary: its uncovered payments not asked yet

    def read(self, member_id):
        """(member, valid summary or None, uncovered payments) as read under the group's lock,
        once per member; None for a member the group did not lock or gave already (the caller
        then reads the database itself)."""
        if member_id not in self._unread:
            return None
        self._unread.discard(member_id)
        existing = self.existing.get(member_id)
        if existing is not None:
            self._kept.add(member_id)
        return self.members[member_id], existing, self.payments.get(member_id, [])

    def uncovered(self, member_id):
        """The uncovered payments of a member just `read` with a valid summary (nothing of
        that member was written since), once; else read from the database."""
        if member_id in self._kept:
            self._kept.discard(member_id)
            return self.payments.get(member_id, [])
        return uncovered_payments(member_id, self.fiscal_year)

    def plan(self, member, payments, *, actor, beneficiary):
        receipt = _new_receipt(
            member=member,
            kind=ReceiptKind.ANNUAL,
            is_fiscal=True,
            fiscal_year=self.fiscal_year,
            payments=payments,
            actor=actor,
            beneficiary=beneficiary,
        )
        self.planned[member.pk] = payments
        return receipt

    def insert(self, receipts, *, actor):
        """Insert planned `receipts` (those the caller kept) with their lines and audit entries:
        their numbers taken in one locked step, each kind of row in one statement. Run it in a
        savepoint: an IntegrityError leaves the members to the member-by-member path."""
        if not receipts:
            return []
        issued_on = timezone.localdate()
        numbers = take_receipt_numbers(issued_on, len(receipts))
        for receipt, number in zip(receipts, numbers, strict=True):
            receipt.number, receipt.issued_on = number, issued_on
        if connection.features.can_return_rows_from_bulk_insert:
            Receipt.objects.bulk_create(receipts)
        else:
            for receipt in receipts:
                receipt.save(force_insert=True)
        lines = []
        for receipt in receipts:
            own = _new_lines(receipt, self.planned[receipt.member_id])
            # Rendering right after reads the lines from here rather than from the database.
            receipt._prefetched_objects_cache = {"lines": own}
            lines += own
        ReceiptLine.objects.bulk_create(lines)
        content_type = ContentType.objects.get_for_model(Receipt)
        issuer = acting_user(actor)
        AuditEntry.objects.bulk_create(
            # As `audit.record(receipt, "receipt.issued", ...)` writes it, one per receipt.
            AuditEntry(
                actor=issuer,
                action="receipt.issued",
                content_type=content_type,
                object_id=str(receipt.pk),
                before={},
                after=audit.snapshot(receipt, AUDITED_FIELDS),
                note="",
            )
            for receipt in receipts
        )
        return receipts


def reissue(old, *, actor):
    """The corrected receipt replacing `old` (already cancelled in this transaction), with the
    donor copied afresh from the member, covering the payments that are still valid."""
    assert old.status == ReceiptStatus.CANCELLED
    member = old.member
    if old.kind == ReceiptKind.ORGANISATION:
        payments = [
            line.payment
            for line in old.lines.select_related("payment")
            if line.payment.status == PaymentStatus.RECEIVED
            and not ReceiptLine.objects.filter(payment=line.payment, is_valid=True).exists()
        ]
        is_fiscal = member.is_liable_to_corporate_tax
    else:
        payments = uncovered_payments(member.pk, old.fiscal_year)
        is_fiscal = True
    if not payments:
        return None
    return _insert_receipt(
        member=member,
        kind=old.kind,
        is_fiscal=is_fiscal,
        fiscal_year=old.fiscal_year,
        payments=payments,
        actor=actor,
        replaces=old,
    )
