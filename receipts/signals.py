"""Receipts listen to dues and members (which never import receipts): a recorded organisation
payment gets its receipt, a bounced or undone payment leaves its receipt (sent after commit; the
work is handed to a worker, and a broker that is down only delays it until the sweep); a merge
of two members that would give one of them two valid annual summaries of a year is refused."""

from django.dispatch import receiver
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cac_portal.tasking import enqueue
from dues.signals import desk_pending, payment_cancelled, payment_recorded, payment_rejected
from members.models import MemberKind
from members.signals import merge_check
from receipts.models import Receipt, ReceiptKind
from receipts.services.dashboard import receipts_work


@receiver(payment_recorded, dispatch_uid="receipts.payment_recorded")
def issue_organisation_receipt_on_payment(sender, payment, **kwargs):
    # A past payment taken over by an import was acknowledged long ago: never a receipt.
    if payment.member.kind == MemberKind.ORGANISATION and not payment.is_imported:
        enqueue("receipts.tasks.issue_organisation_receipt", payment.pk)


@receiver(payment_rejected, dispatch_uid="receipts.payment_rejected")
@receiver(payment_cancelled, dispatch_uid="receipts.payment_cancelled")
def withdraw_payment_from_receipt(sender, payment, reason="", **kwargs):
    enqueue("receipts.tasks.withdraw_payment", payment.pk, reason)


@receiver(merge_check, dispatch_uid="receipts.merge_check")
def refuse_two_annual_summaries_of_one_year(sender, survivor, merged, **kwargs):
    """A member has one valid annual summary per year: two records that each have one for the
    same year are merged only once the treasurer has cancelled one."""
    summaries = Receipt.objects.valid().filter(kind=ReceiptKind.ANNUAL)
    years = set(summaries.filter(member=survivor).values_list("fiscal_year", flat=True))
    clashing = summaries.filter(member=merged, fiscal_year__in=years).order_by("fiscal_year")
    return [
        _(
            "Les deux fiches ont chacune un récapitulatif annuel %(year)s valide : le trésorier "
            "doit en annuler un (n° %(number)s) avant la fusion."
        )
        % {"year": receipt.fiscal_year, "number": receipt.number}
        for receipt in clashing
    ]


@receiver(desk_pending, dispatch_uid="receipts.desk_pending")
def receipts_pending_for_the_desk(sender, **kwargs):
    """The receipts' share of the staff's pending work: counts, in two queries."""
    work = receipts_work()
    waiting, without_pdf = work["organisation_payments"], work["without_pdf"]
    undelivered = work["failed"] + work["deferred"]
    labels = {
        "organisation_payments": ngettext(
            "%(n)s paiement d'organisation sans reçu (émis automatiquement sous peu)",
            "%(n)s paiements d'organisations sans reçu (émis automatiquement sous peu)",
            waiting,
        )
        % {"n": waiting},
        "without_pdf": ngettext("%(n)s reçu sans son PDF", "%(n)s reçus sans leur PDF", without_pdf)
        % {"n": without_pdf},
        "emails": ngettext(
            "%(n)s e-mail de reçu non parvenu (adresse à vérifier)",
            "%(n)s e-mails de reçus non parvenus (adresses à vérifier)",
            undelivered,
        )
        % {"n": undelivered},
    }
    counts = {"organisation_payments": waiting, "without_pdf": without_pdf, "emails": undelivered}
    return [{"key": key, "count": counts[key], "label": label} for key, label in labels.items()]
