"""What staff do with a line of the bank's statement: confirm it as a member's payment (one by
one, or every sure match at once), confirm it as a deposit slip's credit, dismiss it ("pas une
cotisation ni un don"), or put it back to review.

A line is handled once: each service locks the line first and refuses one already handled; the
database backs it (one live payment per line, one line per slip). A confirmed payment is any
payment: its receipt, status and audit follow from `record_payment`, and its undo is the usual
`cancel_payment`, which gives the line back to the review queue.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from charter.templatetags.money import format_euros
from dues.models import (
    BankLine,
    BankLineStatus,
    Confidence,
    DepositSlip,
    KnownPayerAccount,
    LineSuggestion,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from dues.services.matching import SLIP_CREDIT_DAYS, lines_to_review, match_lines, open_pledges
from dues.services.payments import record_payment
from dues.services.slips import slip_totals
from members import audit
from members.audit import acting_user


class LineHandled(ValidationError):
    """The line was confirmed, credited or dismissed meanwhile (another desk, a double click)."""


class NoLongerSure(ValidationError):
    """A bulk confirmation found the line's pledge paid or changed since matching."""


def _handled_message(locked):
    payment = (
        Payment.objects.filter(bank_line=locked)
        .exclude(status=PaymentStatus.CANCELLED)
        .select_related("member")
        .first()
    )
    if payment is not None:
        return _("Cette ligne est déjà rapprochée : paiement de %(member)s du %(date)s.") % {
            "member": payment.member,
            "date": payment.received_on.strftime("%d/%m/%Y"),
        }
    if locked.status == BankLineStatus.SLIP:
        return _("Cette ligne est déjà rapprochée du bordereau %(number)s.") % {
            "number": locked.deposit_slip.number
        }
    return _("Cette ligne a déjà été écartée : %(reason)s") % {"reason": locked.dismissed_reason}


def _lock_open_line(line):
    """The line, locked until the transaction ends; LineHandled unless it is still to review."""
    locked = BankLine.objects.select_for_update().get(pk=line.pk)
    has_payment = (
        Payment.objects.filter(bank_line=locked).exclude(status=PaymentStatus.CANCELLED).exists()
    )
    if locked.status != BankLineStatus.OPEN or has_payment:
        raise LineHandled(_handled_message(locked), code="handled")
    return locked


def _open_pledge_for(member, line, pledge, year):
    """The pledge the payment pays: the one given if still open, else the member's open pledge
    of `year` (any year when None) of the line's amount first, nearest the booking year."""
    pledges = open_pledges().filter(member=member)
    if pledge is not None and pledges.filter(pk=pledge.pk).exists():
        return pledge
    if year is not None:
        pledges = pledges.filter(year=year)
    candidates = list(pledges)
    same = [p for p in candidates if p.amount == line.amount]
    pool = same or candidates
    if not pool:
        return None
    return min(pool, key=lambda p: (abs(p.year - line.booking_date.year), -p.year, -p.pk))


def _still_sure(line, pledge, wanted):
    return (
        wanted is not None and pledge is not None and pledge.pk == wanted.pk
    ) and pledge.amount == line.amount


def confirm_line(line, *, member, actor, pledge=None, year=None, sure_only=False):
    """Record the line as `member`'s transfer: `record_payment` with the line's amount, its
    booking date as the date received, the pledge's year (else `year`, else the booking year)
    and the bank's reference, in the same transaction as the line's confirmation.

    Invariants: the line is confirmed at most once (locked, and the database allows one live
    payment per line: LineHandled for the second); `sure_only` (the bulk confirmation) refuses
    with NoLongerSure when the pledge is no longer open or no longer of the line's amount;
    the payer's IBAN is learned for that member; the audit trail records the confirmation.
    """
    with transaction.atomic():
        locked = _lock_open_line(line)
        paid = _open_pledge_for(member, locked, pledge, year)
        if sure_only and not _still_sure(locked, paid, pledge):
            raise NoLongerSure(
                _("La promesse de cette ligne a changé ou est déjà réglée : à revoir."),
                code="no_longer_sure",
            )
        try:
            payment = record_payment(
                member=member,
                amount=locked.amount,
                method=PaymentMethod.TRANSFER,
                received_on=locked.booking_date,
                year=paid.year if paid else (year or locked.booking_date.year),
                pledge=paid,
                bank_line=locked,
                actor=actor,
            )
        except IntegrityError:
            raise LineHandled(_handled_message(locked), code="handled") from None
        _learn(locked, member)
        audit.record(
            locked,
            audit.Action.BANK_LINE_CONFIRMED,
            actor=actor,
            after={"payment": payment.pk, "member": member.pk, "year": payment.year},
        )
    return payment


def credit_slip(line, slip, *, actor):
    """The line is the bank's credit of a deposited slip: the slip is marked "crédité le" the
    line's booking date.

    Invariants: the slip was deposited, is credited once (a line per slip, a constraint), and
    its total is the line's amount; the line is handled once (LineHandled)."""
    with transaction.atomic():
        locked = _lock_open_line(line)
        slip = DepositSlip.objects.select_for_update().get(pk=slip.pk)
        if not slip.is_deposited:
            raise ValidationError(_("Ce bordereau n'a pas encore été remis en banque."))
        if slip.credited_on is not None:
            raise ValidationError(
                _("Ce bordereau est déjà crédité le %(date)s.")
                % {"date": slip.credited_on.strftime("%d/%m/%Y")}
            )
        _count, total = slip_totals(slip)
        if total != locked.amount:
            raise ValidationError(
                _(
                    "Le total du bordereau (%(total)s) n'est pas le montant de la ligne "
                    "(%(amount)s)."
                )
                % {"total": format_euros(total), "amount": format_euros(locked.amount)}
            )
        locked.status = BankLineStatus.SLIP
        locked.deposit_slip = slip
        _stamp(locked, actor)
        locked.save(update_fields=["status", "deposit_slip", "handled_by", "handled_at"])
        slip.credited_on = locked.booking_date
        slip.save(update_fields=["credited_on"])
        audit.record(
            slip,
            audit.Action.SLIP_CREDITED,
            actor=actor,
            after={"credited_on": slip.credited_on.isoformat(), "bank_line": locked.pk},
        )
        audit.record(locked, audit.Action.BANK_LINE_SLIP, actor=actor, after={"slip": slip.pk})
    return locked


def _stamp(line, actor):
    line.handled_by = acting_user(actor)
    line.handled_at = timezone.now()


def _learn(line, member):
    if line.counterparty_iban:
        KnownPayerAccount.objects.get_or_create(
            iban=line.counterparty_iban, member=member, defaults={"learned_from": line}
        )


def attach_payment(line, payment, *, actor):
    """The line is the bank's side of a transfer staff already logged by hand: the payment
    keeps the line and the bank's reference; nothing else about it changes (its receipt
    neither).

    Invariants: the payment is a received transfer of the line's amount on no other line;
    the line is handled once (LineHandled); the audit trail has the before and after."""
    with transaction.atomic():
        locked = _lock_open_line(line)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if (
            payment.method != PaymentMethod.TRANSFER
            or payment.status != PaymentStatus.RECEIVED
            or payment.bank_line_id is not None
            or payment.amount != locked.amount
        ):
            raise ValidationError(
                _("Ce paiement ne peut plus être rattaché à cette ligne : rechargez la page."),
                code="not_attachable",
            )
        before = audit.snapshot(payment, ["bank_line", "bank_reference"])
        payment.bank_line = locked
        payment.bank_reference = locked.bank_reference
        payment.save(update_fields=["bank_line", "bank_reference"])
        audit.record(
            payment,
            audit.Action.PAYMENT_UPDATED,
            actor=actor,
            before=before,
            after=audit.snapshot(payment, ["bank_line", "bank_reference"]),
            note=_("virement saisi à la main, retrouvé sur le relevé"),
        )
        _learn(locked, payment.member)
        audit.record(
            locked,
            audit.Action.BANK_LINE_CONFIRMED,
            actor=actor,
            after={"payment": payment.pk, "member": payment.member_id, "attached": True},
        )
    return payment


def confirm_suggestion(suggestion, *, actor, sure_only=False):
    """Confirm what a suggestion proposes: the member's payment (or the one staff already
    logged by hand), or the slip's credit."""
    if suggestion.deposit_slip_id is not None:
        return credit_slip(suggestion.line, suggestion.deposit_slip, actor=actor)
    if suggestion.payment_id is not None:
        return attach_payment(suggestion.line, suggestion.payment, actor=actor)
    return confirm_line(
        suggestion.line,
        member=suggestion.member,
        pledge=suggestion.pledge,
        year=suggestion.year,
        actor=actor,
        sure_only=sure_only,
    )


def sure_suggestions():
    """The first suggestion of each line to review, where it is sure: what the bulk
    confirmation takes, oldest line first."""
    return (
        LineSuggestion.objects.filter(
            position=0, confidence=Confidence.SURE, line__in=lines_to_review()
        )
        .select_related("line", "member", "pledge")
        .order_by("line__booking_date", "line_id")
    )


def confirm_sure_lines(*, actor):
    """Confirm every sure match, each through `confirm_line` in its own transaction.

    Returns (payments recorded, lines left to review). A line confirmed meanwhile elsewhere is
    skipped; one whose pledge changed is matched again and left to review: the bulk action
    never records what staff did not see as sure."""
    payments, skipped = [], []
    for suggestion in sure_suggestions():
        try:
            payments.append(confirm_suggestion(suggestion, actor=actor, sure_only=True))
        except LineHandled:
            continue
        except ValidationError:
            skipped.append(suggestion.line)
    if skipped:
        match_lines(skipped)
    return payments, skipped


def dismiss_line(line, *, reason, actor):
    """ "Pas une cotisation ni un don": the line leaves the review queue, with its reason."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Indiquez pourquoi cette ligne est écartée.")})
    with transaction.atomic():
        locked = _lock_open_line(line)
        locked.status = BankLineStatus.DISMISSED
        locked.dismissed_reason = reason
        _stamp(locked, actor)
        locked.save(update_fields=["status", "dismissed_reason", "handled_by", "handled_at"])
        audit.record(locked, audit.Action.BANK_LINE_DISMISSED, actor=actor, note=reason)
    return locked


def reopen_line(line, *, actor):
    """Put a dismissed line, or a slip's credit, back to review (the slip is no longer
    credited). A line that paid is reopened by undoing its payment (`cancel_payment`)."""
    with transaction.atomic():
        locked = BankLine.objects.select_for_update().get(pk=line.pk)
        if locked.status == BankLineStatus.OPEN:
            raise ValidationError(
                _("Cette ligne est déjà à traiter, ou elle a réglé un paiement : annulez-le."),
                code="open",
            )
        before = {"status": locked.status, "reason": locked.dismissed_reason}
        if locked.deposit_slip_id is not None:
            slip = DepositSlip.objects.select_for_update().get(pk=locked.deposit_slip_id)
            slip.credited_on = None
            slip.save(update_fields=["credited_on"])
            before["slip"] = slip.pk
        locked.status = BankLineStatus.OPEN
        locked.deposit_slip = None
        locked.dismissed_reason = ""
        locked.handled_by = None
        locked.handled_at = None
        locked.save(
            update_fields=["status", "deposit_slip", "dismissed_reason", "handled_by", "handled_at"]
        )
        audit.record(locked, audit.Action.BANK_LINE_REOPENED, actor=actor, before=before)
    match_lines([locked])
    return locked


def late_slips(today=None):
    """Slips deposited more than SLIP_CREDIT_DAYS days ago and still not credited, since the
    first imported statement's period (before it the portal cannot know): oldest first."""
    today = today or timezone.localdate()
    first = BankLine.objects.order_by("booking_date").values_list("booking_date", flat=True)[:1]
    if not first:
        return DepositSlip.objects.none()
    since = timezone.make_aware(datetime.datetime.combine(first[0], datetime.time.min))
    until = timezone.make_aware(
        datetime.datetime.combine(
            today - datetime.timedelta(days=SLIP_CREDIT_DAYS), datetime.time.min
        )
    )
    return (
        DepositSlip.objects.filter(
            deposited_at__gte=since, deposited_at__lt=until, credited_on__isnull=True
        )
        .annotate(count=Count("payments"), total=Sum("payments__amount"))
        .order_by("deposited_at", "pk")
    )
