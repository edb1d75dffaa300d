"""Recording, rejecting, undoing and correcting payments. Every change writes an audit entry;
the apps above learn of it through `dues.signals`, sent after commit."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from charter.templatetags.money import format_euros
from dues.campaign import validate_dues_year, validate_received_on
from dues.models import (
    DepositSlip,
    KnownPayerAccount,
    Payment,
    PaymentMethod,
    PaymentStatus,
    PledgeSource,
)
from dues.services.pledges import Adhesion, open_pledge, submit_adhesion
from dues.signals import payment_cancelled, payment_recorded, payment_rejected
from members import audit
from members.audit import acting_user
from members.duplicates import check_before_creating, record_created_anyway

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
    """The same cheque (number, bank, amount) is already recorded, for any member. `twin` is
    the payment already recorded."""

    def __init__(self, twin):
        super().__init__(_duplicate_message(twin), code="duplicate")
        self.twin = twin


def _duplicate_message(existing):
    return _(
        "Ce chèque n° %(number)s de %(amount)s est déjà enregistré pour %(member)s le %(date)s."
    ) % {
        "number": existing.cheque_number,
        "amount": format_euros(existing.amount),
        "member": existing.member,
        "date": timezone.localtime(existing.created_at).strftime("%d/%m/%Y"),
    }


def cheque_twin(cheque_number, bank, amount, *, exclude=None):
    """The received or rejected cheque of any member with this number, bank and amount."""
    twins = Payment.objects.filter(
        method=PaymentMethod.CHEQUE,
        cheque_number=cheque_number,
        bank=bank,
        amount=amount,
        status__in=[PaymentStatus.RECEIVED, PaymentStatus.REJECTED],
    )
    if exclude is not None:
        twins = twins.exclude(pk=exclude.pk)
    return twins.select_related("member").order_by("created_at", "pk").first()


def _confirmation_reason(reason):
    """The reason staff gave that a cheque like a recorded one is another cheque, or ""."""
    return " ".join(str(reason or "").split())


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
    confirm_duplicate_reason="",
    bank_line=None,
):
    """Save a received payment, matched to the member's open pledge of `year` if any.

    Invariants: the amount is a positive Decimal with at most two decimals that the column
    holds; `year` is a dues year (`dues.campaign.dues_years`) and `received_on` neither in the
    future nor before the collective's first year, whoever calls (a form, an import); a cheque
    has a number and is recorded once for all members (same number, bank and amount as a
    received or rejected cheque of anyone → DuplicatePayment naming it), unless staff give
    `confirm_duplicate_reason`: it is another cheque, saved as such and audited with its
    twin's id; a transfer read on the bank's statement (`bank_line`) keeps its line and the
    bank's reference, and a line pays once (a constraint; IntegrityError for a second);
    `payment_recorded` is sent only once the transaction has committed.
    Refusals are ValidationErrors keyed by the field's name.
    """
    amount = _checked_amount(amount)
    validate_dues_year(year, field="year")
    received_on = _checked_date(received_on)
    cheque_number, bank, drawer = _cheque_fields(method, member, cheque_number, bank, drawer)
    bank_reference = _check_links(member, year, method, pledge, bank_line)

    reason = _confirmation_reason(confirm_duplicate_reason)
    try:
        with transaction.atomic():
            twin = None
            if method == PaymentMethod.CHEQUE:
                twin = cheque_twin(cheque_number, bank, amount)
                if twin is not None and not reason:
                    raise DuplicatePayment(twin)
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
                duplicate_confirmed=twin is not None,
            )
            _audit_recorded(payment, twin, reason, actor=actor)
            transaction.on_commit(lambda: payment_recorded.send(sender=Payment, payment=payment))
    except IntegrityError:
        # Two desks saving the same cheque at once: the unique constraint caught the second.
        twin = cheque_twin(cheque_number, bank, amount)
        if twin is None:
            raise
        raise DuplicatePayment(twin) from None
    return payment


def _audit_recorded(payment, twin, reason, *, actor):
    audit.record(
        payment,
        audit.Action.PAYMENT_RECORDED,
        actor=actor,
        after=audit.snapshot(payment, AUDITED_FIELDS),
    )
    if twin is not None:
        audit.record(
            payment,
            audit.Action.PAYMENT_DUPLICATE_CONFIRMED,
            actor=actor,
            after={"twin": twin.pk},
            note=reason,
        )


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
            cheque_twin(locked.cheque_number, locked.bank, locked.amount, exclude=locked)
            if {"cheque_number", "bank"} & set(changes) and not locked.duplicate_confirmed
            else None
        )
        if twin is not None:
            raise DuplicatePayment(twin)
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
    member=None,
    create_anyway=False,
):
    """A paper form and the cheque in its envelope, as one transaction.

    The member is `member` when staff picked one among the likely duplicates; otherwise the
    form's cheque is first checked against every member's (DuplicatePayment: this envelope
    was probably entered already), then the likely duplicates are looked for, one creation at
    a time (LikelyDuplicates lists them) unless staff said to `create_anyway` (audited with
    the candidates). Then `submit_adhesion` (source "paper", the date of signature) makes or
    updates the member, correspondents, pledge and acceptances; then `payment` (a dict of
    `record_payment` keywords without member/year/amount, or None when no payment came with
    the form) is recorded against that pledge, for the pledge's amount unless it says
    otherwise. Any refusal leaves nothing behind, and the signals and the confirmation are
    sent only after commit. Returns (AdhesionResult, Payment or None).
    """
    form = {
        "kind": kind,
        "member_data": member_data,
        "purpose": purpose,
        "amount": amount,
        "correspondents": correspondents,
        "year": year,
        "source": PledgeSource.PAPER,
        "accepted_at": signed_on,
    }
    with transaction.atomic():
        candidates = []
        if member is None:
            checked = Adhesion(**form).checked()
            _refuse_a_known_cheque(payment, checked.amount)
            candidates = check_before_creating(
                kind, checked.member_data, create_anyway=create_anyway
            )
        result = submit_adhesion(
            **form, member=member, create_anyway=create_anyway, actor=actor, notify=False
        )
        if result.member_created:
            record_created_anyway(result.member, candidates, actor=actor)
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


def _refuse_a_known_cheque(payment, amount):
    if not payment or payment.get("method") != PaymentMethod.CHEQUE:
        return
    if _confirmation_reason(payment.get("confirm_duplicate_reason")):
        return
    twin = cheque_twin(
        (payment.get("cheque_number") or "").strip(),
        (payment.get("bank") or "").strip(),
        payment.get("amount") or amount,
    )
    if twin is not None:
        raise DuplicatePayment(twin)
