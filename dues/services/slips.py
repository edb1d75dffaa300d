"""Deposit slips (bordereaux de remise de chèques): numbered gap-free, then deposited for good."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dues.models import DepositSlip, Payment, PaymentMethod, PaymentStatus
from dues.numbering import take_next
from members import audit
from members.audit import acting_user

SLIP_COUNTER = "deposit_slip"


class SlipDeposited(ValidationError):
    """The slip is at the bank: it can no longer change."""


def cheques_to_deposit():
    """Received cheques on no slip yet, oldest first: what the next slip may take (not the
    past cheques an import took over: the bank had them long ago)."""
    return (
        Payment.objects.filter(
            method=PaymentMethod.CHEQUE,
            status=PaymentStatus.RECEIVED,
            deposit_slip__isnull=True,
            is_imported=False,
        )
        .select_related("member")
        .order_by("received_on", "pk")
    )


def slip_totals(slip):
    """The count and total of the cheques on `slip`, summed by the database."""
    totals = slip.payments.aggregate(count=Count("pk"), total=Sum("amount"))
    return totals["count"], totals["total"] or 0


def _snapshot(slip):
    return {
        "number": slip.number,
        "deposited_at": slip.deposited_at.isoformat() if slip.deposited_at else None,
        "payments": sorted(slip.payments.values_list("pk", flat=True)),
    }


def _can_go_on_a_slip(payment):
    """A received cheque on no slip yet (not one an import took over)."""
    return (
        payment.method == PaymentMethod.CHEQUE
        and payment.status == PaymentStatus.RECEIVED
        and payment.deposit_slip_id is None
        and not payment.is_imported
    )


def create_slip(payments, *, actor, year=None):
    """Number a new slip `BR-YYYY-NNN` and put the given cheques on it, in one transaction.

    Invariants: the number comes from the gap-free counter of `year` (a rollback gives it
    back); only received cheques on no slip are taken (locked first, so two desks cannot put
    the same cheque on two slips); an empty selection is refused.
    """
    ids = sorted(
        {payment.pk if isinstance(payment, Payment) else int(payment) for payment in payments}
    )
    if not ids:
        raise ValidationError(_("Sélectionnez au moins un chèque."), code="empty")
    year = year or timezone.localdate().year
    with transaction.atomic():
        locked = list(Payment.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        if any(not _can_go_on_a_slip(p) for p in locked) or len(locked) != len(ids):
            raise ValidationError(
                _(
                    "Certains chèques sélectionnés ne peuvent plus être remis (déjà sur un "
                    "bordereau, annulés ou rejetés). Rechargez la page."
                ),
                code="unavailable",
            )
        slip = DepositSlip.objects.create(
            number=f"BR-{year}-{take_next(SLIP_COUNTER, year):03d}",
            year=year,
            created_by=acting_user(actor),
        )
        Payment.objects.filter(pk__in=ids).update(deposit_slip=slip)
        audit.record(slip, audit.Action.SLIP_CREATED, actor=actor, after=_snapshot(slip))
        for payment in locked:
            audit.record(
                payment,
                audit.Action.PAYMENT_SLIPPED,
                actor=actor,
                before={"deposit_slip": None},
                after={"deposit_slip": slip.pk},
                note=slip.number,
            )
    return slip


def mark_deposited(slip, *, actor):
    """The slip went to the bank: from now on neither it nor its cheques change.

    Invariant: done once (SlipDeposited the second time); an empty slip is not deposited.
    """
    with transaction.atomic():
        locked = DepositSlip.objects.select_for_update().get(pk=slip.pk)
        if locked.is_deposited:
            raise SlipDeposited(
                _("Le bordereau %(number)s est déjà remis en banque.") % {"number": locked.number},
                code="deposited",
            )
        if not locked.payments.exists():
            raise ValidationError(_("Ce bordereau ne contient aucun chèque."), code="empty")
        before = _snapshot(locked)
        locked.deposited_at = timezone.now()
        locked.save(update_fields=["deposited_at"])
        audit.record(
            locked, audit.Action.SLIP_DEPOSITED, actor=actor, before=before, after=_snapshot(locked)
        )
    slip.refresh_from_db()
    return locked
