"""Recording, rejecting, undoing and correcting payments. Every change writes an audit entry;
the apps above learn of it through `dues.signals`, sent after commit."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dues.campaign import validate_dues_year, validate_received_on
from dues.models import (
    DepositSlip,
    KnownPayerAccount,
    Payment,
    PaymentMethod,
    PaymentStatus,
    PledgeSource,
)
from dues.services.pledges import open_pledge, submit_adhesion
from dues.signals import payment_cancelled, payment_recorded, payment_rejected
from members import audit
from members.audit import acting_user

# A billion euros: far above any gift, and within what `Payment.amount` (12 digits) holds.
PAYMENT_CEILING = Decimal("1000000000")

AUDITED_FIELDS = [
    "member",
    "pledge",
    "year",
    "method",
    "amount",
    "received_on",
    "cheque_number",
    "bank",
    "drawer",
    "status",
    "status_reason",
    "deposit_slip",
    "bank_line",
    "bank_reference",
]


class DuplicatePayment(ValidationError):
    """The same cheque (member, number, bank, amount) is already recorded."""


def _duplicate_message(existing):
    return _(
        "Ce chèque (n° %(number)s, %(bank)s, %(amount)s €) est déjà enregistré pour %(member)s "
        "depuis le %(date)s."
    ) % {
        "number": existing.cheque_number,
        "bank": existing.bank or _("banque non précisée"),
        "amount": existing.amount,
        "member": existing.member,
        "date": existing.created_at.strftime("%d/%m/%Y"),
    }


def _cheque_twin(member, cheque_number, bank, amount):
    return (
        Payment.objects.filter(
            member=member,
            method=PaymentMethod.CHEQUE,
            cheque_number=cheque_number,
            bank=bank,
            amount=amount,
        )
        .exclude(status=PaymentStatus.CANCELLED)
        .select_related("member")
        .first()
    )


def _checked_amount(amount):
    try:
        amount = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"amount": _("Saisissez un montant valide.")}) from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(
            {"amount": _("Le montant doit être positif, avec au plus deux décimales.")}
        )
    if amount > PAYMENT_CEILING:
        raise ValidationError({"amount": _("Ce montant est trop grand, vérifiez-le.")})
    return amount.quantize(Decimal("0.01"))


def _checked_date(received_on):
    if isinstance(received_on, str):
        try:
            received_on = datetime.date.fromisoformat(received_on.strip())
        except ValueError:
            received_on = None
    validate_received_on(received_on, field="received_on")
    return received_on


def _cheque_fields(method, member, cheque_number, bank, drawer):
    """(number, bank, drawer) as stored: a cheque needs its number and defaults its drawer to
    the member; other methods have none of the three."""
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("Mode de paiement inconnu.")})
    if method != PaymentMethod.CHEQUE:
        return "", "", ""
    cheque_number = (cheque_number or "").strip()
    if not cheque_number:
        raise ValidationError({"cheque_number": _("Indiquez le numéro du chèque.")})
    return cheque_number, (bank or "").strip(), (drawer or "").strip() or member.display_name


def _check_links(member, year, method, pledge, bank_line):
    """The pledge is the member's of that year; a bank line is a transfer. Returns the bank's
    reference the payment keeps ("" without a line)."""
    if pledge is not None and (pledge.member_id != member.pk or pledge.year != year):
        raise ValidationError(_("Cette promesse ne correspond pas à ce membre et à cette année."))
    if bank_line is None:
        return ""
    if method != PaymentMethod.TRANSFER:
        raise ValidationError({"method": _("Une ligne de relevé bancaire est un virement.")})
    return bank_line.bank_reference


def record_payment(
    *,
    member,
    amount,
    method,
    received_on,
    year,
    actor,
    pledge=None,
    cheque_number="",
    bank="",
    drawer="",
    bank_line=None,
):
    """Save a received payment, matched to the member's open pledge of `year` if any.

    Invariants: the amount is a positive Decimal with at most two decimals that the column
    holds; `year` is a dues year (`dues.campaign.dues_years`) and `received_on` neither in the
    future nor before the collective's first year, whoever calls (a form, an import); a cheque
    has a number and is recorded once (same member, number, bank and amount →
    DuplicatePayment); a transfer read on the bank's statement (`bank_line`) keeps its line and
    the bank's reference, and a line pays once (a constraint; IntegrityError for a second);
    `payment_recorded` is sent only once the transaction has committed.
    Refusals are ValidationErrors keyed by the field's name.
    """
    amount = _checked_amount(amount)
    validate_dues_year(year, field="year")
    received_on = _checked_date(received_on)
    cheque_number, bank, drawer = _cheque_fields(method, member, cheque_number, bank, drawer)
    bank_reference = _check_links(member, year, method, pledge, bank_line)

    try:
        with transaction.atomic():
            if method == PaymentMethod.CHEQUE:
                existing = _cheque_twin(member, cheque_number, bank, amount)
                if existing is not None:
                    raise DuplicatePayment(_duplicate_message(existing), code="duplicate")
            payment = Payment.objects.create(
                member=member,
                pledge=pledge or open_pledge(member, year),
                year=year,
                method=method,
                amount=amount,
                received_on=received_on,
                cheque_number=cheque_number,
                bank=bank,
                drawer=drawer,
                bank_line=bank_line,
                bank_reference=bank_reference,
                recorded_by=acting_user(actor),
            )
            audit.record(
                payment,
                audit.Action.PAYMENT_RECORDED,
                actor=actor,
                after=audit.snapshot(payment, AUDITED_FIELDS),
            )
            transaction.on_commit(lambda: payment_recorded.send(sender=Payment, payment=payment))
    except IntegrityError:
        # Two desks saving the same cheque at once: the unique constraint caught the second.
        existing = _cheque_twin(member, cheque_number, bank, amount)
        if existing is None:
            raise
        raise DuplicatePayment(_duplicate_message(existing), code="duplicate") from None
    return payment


def reject_payment(payment, *, reason, actor):
    """Mark a received payment rejected (a bounced cheque), with its reason.

    The member's status for that year follows (only received payments count); receipts learn
    of it through `payment_rejected` after commit and cancel or leave out the payment.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif du rejet.")})
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status != PaymentStatus.RECEIVED:
            raise ValidationError(_("Seul un paiement reçu peut être rejeté."))
        _leave_received(
            locked,
            PaymentStatus.REJECTED,
            reason,
            actor,
            audit.Action.PAYMENT_REJECTED,
            payment_rejected,
        )
    payment.refresh_from_db()
    return locked


def _leave_received(locked, status, reason, actor, action, signal, **changes):
    """Move a locked, received payment to `status` with its reason and an audit entry; tell
    the apps above after commit."""
    before = audit.snapshot(locked, AUDITED_FIELDS)
    locked.status = status
    locked.status_reason = reason
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.save(update_fields=["status", "status_reason", *changes])
    audit.record(
        locked,
        action,
        actor=actor,
        before=before,
        after=audit.snapshot(locked, AUDITED_FIELDS),
        note=reason,
    )
    transaction.on_commit(lambda: signal.send(sender=Payment, payment=locked, reason=reason))


class PaymentLocked(ValidationError):
    """The cheque is on a deposited slip: the bank has it, the entry can no longer change."""


def _lock_message():
    return _(
        "Ce chèque figure sur un bordereau déjà remis en banque : il ne peut plus être modifié "
        "ni annulé. S'il est revenu impayé, marquez-le rejeté."
    )


def _lock_with_slip(payment):
    """The payment and its slip, both locked: a slip being deposited and a cheque being undone
    wait for each other, so a deposited cheque is never changed."""
    locked = Payment.objects.select_for_update().select_related("member").get(pk=payment.pk)
    if locked.deposit_slip_id is not None:
        locked.deposit_slip = DepositSlip.objects.select_for_update().get(pk=locked.deposit_slip_id)
    return locked


def cancel_payment(payment, *, reason, actor):
    """Undo an entry mistake: the payment becomes cancelled, never deleted.

    Invariants: only a received payment can be undone; a cheque on a deposited slip cannot
    (PaymentLocked); a cheque on a slip not yet deposited leaves that slip, so the slip lists
    only what goes to the bank; a transfer read on the bank's statement gives its line back
    to the review queue (only a live payment uses a line up) and forgets the payer's account
    it taught, so a wrong match teaches nothing; `payment_cancelled` is sent only once the
    transaction commits.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif de l'annulation.")})
    with transaction.atomic():
        locked = _lock_with_slip(payment)
        if locked.is_locked:
            raise PaymentLocked(_lock_message(), code="locked")
        if locked.status != PaymentStatus.RECEIVED:
            raise ValidationError(_("Seul un paiement reçu peut être annulé."), code="status")
        _leave_received(
            locked,
            PaymentStatus.CANCELLED,
            reason,
            actor,
            audit.Action.PAYMENT_CANCELLED,
            payment_cancelled,
            deposit_slip=None,
        )
        if locked.bank_line_id is not None:
            KnownPayerAccount.objects.filter(
                learned_from_id=locked.bank_line_id, member_id=locked.member_id
            ).delete()
    payment.refresh_from_db()
    return locked


EDITABLE_DETAILS = ("cheque_number", "bank", "drawer")


def _check_correctable(locked, changes):
    if locked.is_locked:
        raise PaymentLocked(_lock_message(), code="locked")
    if locked.status != PaymentStatus.RECEIVED:
        raise ValidationError(_("Seul un paiement reçu peut être corrigé."), code="status")
    if locked.method != PaymentMethod.CHEQUE:
        raise ValidationError(_("Seul un chèque a un numéro, une banque et un tireur."))
    if "cheque_number" in changes and not changes["cheque_number"]:
        raise ValidationError({"cheque_number": _("Indiquez le numéro du chèque.")})


def update_cheque_details(payment, *, actor, **changes):
    """Correct a cheque's number, bank or drawer (a typo), before the slip goes to the bank.

    Only these details change in place: they are on no receipt. A wrong amount, date, year or
    member is undone (`cancel_payment`) and entered again, so receipts follow through the
    signals. Invariants: refused once locked (PaymentLocked) or not received; the same cheque
    is still recorded once (DuplicatePayment); an audit entry keeps the before and after.
    """
    unknown = set(changes) - set(EDITABLE_DETAILS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    changes = {name: (value or "").strip() for name, value in changes.items()}
    with transaction.atomic():
        locked = _lock_with_slip(payment)
        _check_correctable(locked, changes)
        if "drawer" in changes and not changes["drawer"]:
            changes["drawer"] = locked.member.display_name
        before = audit.snapshot(locked, AUDITED_FIELDS)
        for name, value in changes.items():
            setattr(locked, name, value)
        twin = (
            _cheque_twin(locked.member, locked.cheque_number, locked.bank, locked.amount)
            if {"cheque_number", "bank"} & set(changes)
            else None
        )
        if twin is not None and twin.pk != locked.pk:
            raise DuplicatePayment(_duplicate_message(twin), code="duplicate")
        after = audit.snapshot(locked, AUDITED_FIELDS)
        if after == before:
            return locked
        locked.save(update_fields=list(changes))
        audit.record(locked, audit.Action.PAYMENT_UPDATED, actor=actor, before=before, after=after)
    payment.refresh_from_db()
    return locked


def record_paper_adhesion(
    *,
    kind,
    member_data,
    purpose,
    signed_on,
    actor,
    amount=None,
    correspondents=(),
    year=None,
    payment=None,
):
    """A paper form and the cheque in its envelope, as one transaction.

    The member (found by email or created), correspondents, pledge and the charter and privacy
    acceptances come from `submit_adhesion` with source "paper" and the date of signature; then
    `payment` (a dict of `record_payment` keywords without member/year/amount, or None when no
    payment came with the form) is recorded against that pledge, for the pledge's amount unless
    it says otherwise. Any refusal (a duplicate cheque included) leaves nothing behind, and the
    signals and the confirmation are sent only after commit.
    Returns (AdhesionResult, Payment or None).
    """
    with transaction.atomic():
        result = submit_adhesion(
            kind=kind,
            member_data=member_data,
            purpose=purpose,
            amount=amount,
            correspondents=correspondents,
            year=year,
            source=PledgeSource.PAPER,
            accepted_at=signed_on,
            actor=actor,
            notify=False,
        )
        recorded = None
        if payment is not None:
            recorded = record_payment(
                member=result.member,
                year=result.pledge.year,
                pledge=result.pledge,
                actor=actor,
                **{"amount": result.pledge.amount, **payment},
            )
    return result, recorded
