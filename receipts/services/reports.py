"""A member's report of an error on their receipt, and the treasurer's answer."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members import audit
from members.models import AuditEntry
from receipts.models import ErrorReport, Receipt


def _already_reported():
    return ValidationError(
        _("Vous avez déjà signalé une erreur sur ce reçu : le trésorier la traite."),
        code="already_reported",
    )


def report_error(receipt, *, message, actor):
    """Record the member's report on `receipt`, for the treasurer.

    Invariant: at most one open report per receipt (a partial unique constraint backs it); a
    second one while the first waits is refused with a message saying so."""
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": _("Décrivez l'erreur en quelques mots.")})
    try:
        with transaction.atomic():
            Receipt.objects.select_for_update().get(pk=receipt.pk)
            if ErrorReport.objects.filter(receipt=receipt, resolved_at__isnull=True).exists():
                raise _already_reported()
            report = ErrorReport.objects.create(
                receipt=receipt, message=message, reported_by=audit.acting_user(actor)
            )
            audit.record(
                receipt,
                AuditEntry.Action.RECEIPT_ERROR_REPORTED,
                actor=actor,
                after={"report": report.pk},
                note=message,
            )
    except IntegrityError:
        raise _already_reported() from None
    return report


def resolve_report(report, *, actor):
    """The treasurer answered the report (without cancelling the receipt). Done once."""
    with transaction.atomic():
        locked = ErrorReport.objects.select_for_update().get(pk=report.pk)
        if locked.resolved_at is not None:
            return locked
        locked.resolved_at, locked.resolved_by = timezone.now(), audit.acting_user(actor)
        locked.save(update_fields=["resolved_at", "resolved_by"])
        audit.record(
            locked.receipt,
            AuditEntry.Action.RECEIPT_REPORT_RESOLVED,
            actor=actor,
            after={"report": locked.pk},
        )
    return locked
