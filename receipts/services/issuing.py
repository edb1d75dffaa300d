"""Issuing one receipt: per organisation payment, or one individual's yearly summary.

Invariants kept here: a payment is in at most one valid receipt (the partial unique constraint
on ReceiptLine says so too); the number is taken in the inserting transaction; the donor's and
the beneficiary's details are copied at issue time, so the receipt never changes afterwards.
Every function is idempotent: it looks for the receipt that should exist before making one.
The January batch issues many summaries at once through `annual.py`, on the same rows.
"""

import enum
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from charter import fiscal
from charter.models import Collective
from dues.models import Payment, PaymentStatus
from members import audit
from members.audit import acting_user
from members.models import AuditEntry, Member, MemberKind
from receipts.models import Receipt, ReceiptKind, ReceiptLine, ReceiptStatus
from receipts.services.mailing import initial_status
from receipts.services.numbering import take_receipt_number
from receipts.services.readiness import ReceiptError, company_missing, require_fiscal_ready

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


class Outcome(enum.StrEnum):
    """What asking for a member's summary of a year did."""

    EXISTING = "existing"  # a valid summary already covers every payment of the year
    CREATED = "created"  # a new summary was issued
    REISSUED = "reissued"  # the summary was cancelled and replaced to add a payment
    NOTHING = "nothing"  # nothing to cover: no received payment of the year, or not a person


def _rescrit(collective):
    if not collective.rescrit_reference:
        return ""
    if collective.rescrit_on:
        return f"{collective.rescrit_reference} du {collective.rescrit_on:%d/%m/%Y}"
    return collective.rescrit_reference


def beneficiary_snapshot(collective):
    """What the receipt says about the collective, frozen at issue time: its identity, its
    quality in the words of each model, and where the receipt is verified."""
    if collective is None:
        raise ReceiptError(_("L'identité du collectif n'est pas renseignée."))
    return {
        "name": collective.name,
        "acronym": collective.acronym,
        "address": collective.postal_address,
        "object": collective.object,
        "quality": collective.legal_quality,
        "quality_individuals": collective.quality_wording(fiscal.INDIVIDUALS),
        "quality_companies": collective.quality_wording(fiscal.COMPANIES),
        "registration_number": collective.registration_number,
        "rescrit": _rescrit(collective),
        "signatory_name": collective.signatory_name,
        "signatory_title": collective.signatory_title,
        "signature_place": collective.signature_place or collective.city,
        "signature": collective.signature.name if collective.signature else "",
        "verification_base": settings.SITE_URL,
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


def build_receipt(*, member, kind, is_fiscal, fiscal_year, payments, actor, beneficiary, **extra):
    """The receipt's row, not saved yet and without its number (taken when it is inserted)."""
    if not payments:
        raise ReceiptError("a receipt covers at least one payment")
    donor = donor_fields(member)
    return Receipt(
        kind=kind,
        is_fiscal=is_fiscal,
        member=member,
        fiscal_year=fiscal_year,
        amount=sum((p.amount for p in payments), Decimal("0")),
        beneficiary=beneficiary,
        issued_by=acting_user(actor),
        email_status=initial_status(donor["donor_email"]),
        **donor,
        **extra,
    )


def build_lines(receipt, payments):
    return [
        ReceiptLine(
            receipt=receipt,
            payment=p,
            amount=p.amount,
            received_on=p.received_on,
            method=p.method,
            purpose=p.pledge.purpose if p.pledge_id else "",
            dues_year=p.year,
        )
        for p in sorted(payments, key=lambda p: (p.received_on, p.pk))
    ]


def issued_entry(receipt, *, actor):
    """The audit entry of an issued receipt, not saved: one writer, single or in bulk."""
    return audit.entry(
        receipt,
        AuditEntry.Action.RECEIPT_ISSUED,
        actor=actor,
        after=audit.snapshot(receipt, AUDITED_FIELDS),
    )


def _insert_receipt(*, payments, actor, beneficiary=None, **fields):
    """Insert one receipt and its lines, numbered in the caller's transaction. A fiscal one is
    refused while the collective's fiscal identity is incomplete (a `beneficiary` given was
    checked by the caller)."""
    if beneficiary is None:
        collective = Collective.load()
        if fields["is_fiscal"]:
            article = "200" if fields["kind"] == ReceiptKind.ANNUAL else "238 bis"
            require_fiscal_ready(collective, article=article)
        beneficiary = beneficiary_snapshot(collective)
    receipt = build_receipt(payments=payments, actor=actor, beneficiary=beneficiary, **fields)
    receipt.issued_on = timezone.localdate()
    receipt.number = take_receipt_number(receipt.issued_on)
    receipt.save(force_insert=True)
    lines = ReceiptLine.objects.bulk_create(build_lines(receipt, payments))
    # Rendering right after reads the lines from here rather than from the database.
    receipt._prefetched_objects_cache = {"lines": lines}
    issued_entry(receipt, actor=actor).save()
    return receipt


def valid_receipt_of_payment(payment_id):
    line = (
        ReceiptLine.objects.filter(payment_id=payment_id, is_valid=True)
        .select_related("receipt")
        .first()
    )
    return line.receipt if line else None


def _receivable_organisation_payment(payment_id):
    """The payment, locked, if it is a receiptable organisation payment; else None."""
    return (
        Payment.objects.receiptable()
        .select_for_update(of=("self",))
        .select_related("member")
        .filter(pk=payment_id, member__kind=MemberKind.ORGANISATION)
        .first()
    )


def _require_complete_company(member):
    missing = company_missing(member)
    if missing:
        raise ReceiptError(missing, code="company_incomplete")


def issue_organisation_receipt(payment_id, *, actor):
    """The receipt of one organisation payment: the existing valid one, or a new one.

    Returns None when the payment is not (or no longer) a received organisation payment. A
    company's receipt is refused (ReceiptError, nothing issued) while its SIREN or legal form is
    missing or wrong: the payment waits for it.
    Safe to call twice, from two workers at once: the payment row is locked while looking, and
    the partial unique constraint on the lines turns a lost race into the existing receipt.
    """
    existing = valid_receipt_of_payment(payment_id)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            payment = _receivable_organisation_payment(payment_id)
            if payment is None:
                return None
            existing = valid_receipt_of_payment(payment_id)
            if existing is not None:
                return existing
            if payment.member.is_company:
                _require_complete_company(payment.member)
            return _insert_receipt(
                member=payment.member,
                kind=ReceiptKind.ORGANISATION,
                is_fiscal=payment.member.is_company,
                fiscal_year=payment.received_on.year,
                payments=[payment],
                actor=actor,
            )
    except IntegrityError:
        existing = valid_receipt_of_payment(payment_id)
        if existing is None:
            raise
        return existing


def fiscal_payments(fiscal_year):
    """The received payments that count for `fiscal_year`: the one place that says which.

    A gift counts in the calendar year the money was received (the cheque or the transfer
    arrived), whatever dues year it pays: `Payment.year` is for the membership status only."""
    # Imported past payments and a closed record's: never here (`receiptable`).
    return Payment.objects.receiptable().filter(received_on__year=fiscal_year)


def require_year_over(fiscal_year):
    """A yearly summary lists every gift of its year: none is issued before the year is over."""
    if int(fiscal_year) >= timezone.localdate().year:
        raise ValidationError(
            _(
                "Les reçus annuels des dons de %(year)s ne peuvent être émis qu'à partir du "
                "1er janvier %(next)s, une fois l'année terminée."
            )
            % {"year": fiscal_year, "next": int(fiscal_year) + 1},
            code="year_not_over",
        )


def uncovered_payments(member_id, fiscal_year):
    """The member's received payments of `fiscal_year` that no valid receipt covers yet."""
    return list(
        fiscal_payments(fiscal_year)
        .filter(member_id=member_id)
        .exclude(receipt_lines__is_valid=True)
        .select_related("pledge")
        .order_by("received_on", "pk")
    )


def valid_summary(member_id, fiscal_year):
    return (
        Receipt.objects.valid()
        .filter(member_id=member_id, fiscal_year=fiscal_year, kind=ReceiptKind.ANNUAL)
        .first()
    )


def issue_annual_receipt(member_id, fiscal_year, *, actor, beneficiary=None):
    """An individual's yearly summary covering every received payment of `fiscal_year`.

    Returns (receipt, Outcome): EXISTING when a valid summary is there already (a payment added
    since is the batch's business: see `reissue`), CREATED, or (None, NOTHING). Safe to call
    twice at once: the member's row is locked while looking, and the partial unique constraint
    (one valid summary per member and year) is the backstop. Refused (ValidationError) before
    the year is over.
    """
    require_year_over(fiscal_year)
    try:
        with transaction.atomic():
            member = Member.objects.select_for_update().get(pk=member_id)
            existing = valid_summary(member_id, fiscal_year)
            if existing is not None:
                return existing, Outcome.EXISTING
            payments = uncovered_payments(member_id, fiscal_year)
            if not payments or member.kind != MemberKind.INDIVIDUAL:
                return None, Outcome.NOTHING
            receipt = _insert_receipt(
                member=member,
                kind=ReceiptKind.ANNUAL,
                is_fiscal=True,
                fiscal_year=fiscal_year,
                payments=payments,
                actor=actor,
                beneficiary=beneficiary,
            )
            return receipt, Outcome.CREATED
    except IntegrityError:
        existing = valid_summary(member_id, fiscal_year)
        if existing is None:
            raise
        return existing, Outcome.EXISTING


def _still_covered(old):
    """An organisation receipt's payments that are still received and in no valid receipt."""
    return [
        line.payment
        for line in old.lines.select_related("payment")
        if line.payment.status == PaymentStatus.RECEIVED
        and not ReceiptLine.objects.filter(payment=line.payment, is_valid=True).exists()
    ]


def reissue(old, *, actor):
    """The corrected receipt replacing `old` (already cancelled in this transaction), with the
    donor copied afresh from the member, covering the payments that are still valid."""
    if old.status != ReceiptStatus.CANCELLED:
        raise ReceiptError("only a cancelled receipt is replaced")
    member = old.member
    if old.kind == ReceiptKind.ORGANISATION:
        payments, is_fiscal = _still_covered(old), member.is_company
        if is_fiscal:
            _require_complete_company(member)
    else:
        payments, is_fiscal = uncovered_payments(member.pk, old.fiscal_year), True
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
