"""What dues holds of a member's personal data, and how it answers the download, the closure
and the retention (the `members.signals` it receives; connected in `DuesConfig.ready`).

Kept on closure, as the law asks: pledges' years, purposes and amounts; payments whole (the
cheque's drawer and bank stay until the payments' own period ends: accounting entries, ten
years); the renewal reminders' steps and dates. Erased on closure: what the form said (a
pledge's `proposal`), the link of pledges made by someone else with the member's address, the
IBANs learned for the member, the bank's suggestions naming it and the addresses its renewal
reminders went to. Past RETENTION_PAYMENT_YEARS after the end of their year, payments lose
their drawer and the bank's lines their payer's name, account and label; pledges waiting for a
member lose what the form said after RETENTION_CONTACT_YEARS.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from dues.models import Payment, Pledge
from dues.models_bank import BankLine, BankLineStatus, KnownPayerAccount, LineSuggestion
from members.personal_data import Part, plain, row
from members.retention import add_years
from members.signals import member_erasing, personal_data, retention_due

PLEDGE_FIELDS = ["reference", "year", "purpose", "amount", "source", "created_at"]
PAYMENT_FIELDS = [
    "year",
    "method",
    "amount",
    "received_on",
    "cheque_number",
    "bank",
    "drawer",
    "status",
    "status_reason",
    "bank_reference",
    "created_at",
]


@receiver(personal_data, dispatch_uid="dues.personal_data")
def member_data(sender, member, **kwargs):
    pledges = member.pledges.order_by("created_at", "pk")
    payments = member.payments.select_related("pledge").order_by("received_on", "pk")
    payment_rows = []
    for payment in payments:
        data = row(payment, PAYMENT_FIELDS)
        data["promesse"] = payment.pledge.reference if payment.pledge_id else None
        payment_rows.append(data)
    reminders = member.renewal_reminders.select_related("campaign").filter(emailed_at__isnull=False)
    emails = [
        {
            "type": "relance",
            "annee": reminder.campaign.year,
            "relance": reminder.step,
            "a": ", ".join(reminder.recipients),
            "envoye_le": plain(reminder.emailed_at),
        }
        for reminder in reminders
    ]
    return Part(
        emails=emails,
        sections={
            "promesses": [row(pledge, PLEDGE_FIELDS) for pledge in pledges],
            "paiements": payment_rows,
            "comptes_bancaires_connus": [
                {"iban": account.iban, "appris_le": plain(account.learned_at)}
                for account in member.known_accounts.order_by("learned_at")
            ],
        },
        audited=[pledges, payments],
    )


@receiver(member_erasing, dispatch_uid="dues.member_erasing")
def erase_member(sender, member, **kwargs):
    return {
        "promesses_formulaire_efface": member.pledges.exclude(proposal={}).update(proposal={}),
        "promesses_d_un_tiers_detachees": Pledge.objects.filter(matched_member=member).update(
            matched_member=None
        ),
        "comptes_bancaires": KnownPayerAccount.objects.filter(member=member).delete()[0],
        "relances_sans_destinataires": member.renewal_reminders.exclude(recipients=[]).update(
            recipients=[]
        ),
        "suggestions_bancaires": LineSuggestion.objects.filter(
            member=member, line__status=BankLineStatus.OPEN
        ).delete()[0],
    }


def payments_past_period(today):
    """Payments whose year ended more than RETENTION_PAYMENT_YEARS ago."""
    return Payment.objects.filter(
        received_on__year__lt=today.year - settings.RETENTION_PAYMENT_YEARS
    )


def lines_past_period(today):
    return BankLine.objects.filter(
        booking_date__year__lt=today.year - settings.RETENTION_PAYMENT_YEARS
    )


def pledges_to_match_past_period(today):
    cutoff = add_years(today, -settings.RETENTION_CONTACT_YEARS)
    start = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time.min))
    return Pledge.objects.to_match().filter(created_at__lt=start)


@receiver(retention_due, dispatch_uid="dues.retention_due")
def apply_retention(sender, today, dry_run, **kwargs):
    payments = payments_past_period(today).exclude(drawer="")
    lines = lines_past_period(today).exclude(counterparty_name="", counterparty_iban="", label="")
    pledges = [
        pledge
        for pledge in pledges_to_match_past_period(today).only("pk", "proposal")
        if set(pledge.proposal) - {"kind"}
    ]
    counts = {
        "paiements_anonymises": payments.count(),
        "lignes_bancaires_anonymisees": lines.count(),
        "promesses_en_attente_effacees": len(pledges),
    }
    if dry_run:
        return counts
    with transaction.atomic():
        payments.update(drawer="")
        lines.update(counterparty_name="", counterparty_iban="", label="")
        for pledge in pledges:
            Pledge.objects.filter(pk=pledge.pk).update(proposal={"kind": pledge.proposal["kind"]})
    return counts
