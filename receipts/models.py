"""Receipts: numbered, immutable documents. A wrong one is cancelled and replaced, never edited.

Like pretix's invoices, a receipt copies the donor's name and address at issue time, so that
rendering it again, years later, gives the same document whatever happened to the member.
"""

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cac_portal.choices import ChoiceLabels
from dues.models import MONEY


def new_verification_token():
    """128 random bits, URL-safe: what the public verification page is addressed by."""
    return secrets.token_urlsafe(16)


def private_storage():
    """Where the PDFs live: never served by URL, only through the download view."""
    return storages["private"]


class ReceiptKind(models.TextChoices):
    ORGANISATION = "organisation", _("organisation (à chaque paiement)")
    ANNUAL = "annual", _("récapitulatif annuel (particulier)")


class ReceiptStatus(models.TextChoices):
    ISSUED = "issued", _("émis")
    CANCELLED = "cancelled", _("annulé")


class EmailStatus(models.TextChoices):
    """Where the receipt's email stands. Only "queued" and "deferred" are sent (again)."""

    QUEUED = "queued", _("à envoyer")
    SENT = "sent", _("envoyé")
    DEFERRED = "deferred", _("échec temporaire, nouvel essai prévu")
    FAILED = "failed", _("échec définitif")
    NO_ADDRESS = "no_address", _("pas d'adresse e-mail")


class ReceiptQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(status=ReceiptStatus.ISSUED)

    def delete(self):
        raise ValidationError(_("Un reçu émis ne peut pas être supprimé ; annulez-le."))


class Receipt(ChoiceLabels, models.Model):
    number = models.CharField(_("numéro d'ordre"), max_length=12, editable=False)
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Printed on a fiscal receipt (a QR code and a short link): anyone holding the paper can
    # check it on /verifier/<token>/. Random, so that no one can walk through the receipts.
    verification_token = models.CharField(
        _("jeton de vérification"),
        max_length=32,
        unique=True,
        default=new_verification_token,
        editable=False,
    )
    kind = models.CharField(_("type"), max_length=12, choices=ReceiptKind.choices)
    is_fiscal = models.BooleanField(
        _("reçu fiscal"),
        help_text=_("Reçu au titre des dons (CERFA) ; sinon reçu acquitté de cotisation."),
    )
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="receipts")
    fiscal_year = models.PositiveSmallIntegerField(_("année des versements"))
    amount = models.DecimalField(_("montant (€)"), **MONEY)
    issued_on = models.DateField(_("émis le"))
    issued_at = models.DateTimeField(_("émis à"), default=timezone.now)
    status = models.CharField(
        _("état"), max_length=10, choices=ReceiptStatus.choices, default=ReceiptStatus.ISSUED
    )
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    cancellation_reason = models.TextField(_("motif d'annulation"), blank=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("remplace le reçu"),
    )

    # Copied at issue time: the receipt never follows later edits of the member.
    donor_kind = models.CharField(_("type de donateur"), max_length=12)
    donor_name = models.CharField(_("donateur"), max_length=250)
    donor_address = models.TextField(_("adresse du donateur"))
    donor_email = models.EmailField(_("e-mail du donateur"), blank=True)
    donor_siren = models.CharField(_("SIREN du donateur"), max_length=9, blank=True)
    donor_legal_form = models.CharField(
        _("forme juridique du donateur"), max_length=100, blank=True
    )
    # ... and so is the beneficiary, which may change its address or signatory.
    beneficiary = models.JSONField(_("bénéficiaire"), default=dict)

    pdf = models.FileField(_("PDF"), storage=private_storage, upload_to="receipts/", blank=True)
    pdf_sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    email_status = models.CharField(
        _("envoi par e-mail"),
        max_length=10,
        choices=EmailStatus.choices,
        default=EmailStatus.QUEUED,
    )
    emailed_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("tentatives d'envoi"), default=0)
    email_attempted_at = models.DateTimeField(_("dernière tentative le"), null=True, blank=True)
    email_error = models.TextField(_("dernière erreur d'envoi"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ReceiptQuerySet.as_manager()

    class Meta:
        verbose_name = _("reçu")
        verbose_name_plural = _("reçus")
        ordering = ["-issued_at", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="receipt_number_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=ReceiptStatus.values), name="receipt_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=ReceiptStatus.ISSUED, cancelled_at__isnull=True)
                | (
                    Q(status=ReceiptStatus.CANCELLED, cancelled_at__isnull=False)
                    & ~Q(cancellation_reason="")
                ),
                name="receipt_cancellation_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(number__regex=r"^[0-9]{4}-[0-9]{5}$"),
                name="receipt_number_format",
            ),
            models.UniqueConstraint(
                fields=["member", "fiscal_year"],
                condition=Q(kind=ReceiptKind.ANNUAL, status=ReceiptStatus.ISSUED),
                name="receipt_one_valid_annual_per_member_and_year",
            ),
            models.CheckConstraint(
                condition=Q(email_status__in=EmailStatus.values), name="receipt_email_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(email_status=EmailStatus.SENT, emailed_at__isnull=False)
                | (~Q(email_status=EmailStatus.SENT) & Q(emailed_at__isnull=True)),
                name="receipt_sent_has_date",
            ),
        ]
        indexes = [models.Index(fields=["email_status"], name="receipt_email_status_idx")]
        permissions = [("use_treasury", _("Peut utiliser la trésorerie (lots, annulations)"))]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("receipts:download", args=[self.code])

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Un reçu émis ne peut pas être supprimé ; annulez-le."))

    @property
    def is_cancelled(self):
        return self.status == ReceiptStatus.CANCELLED

    @property
    def is_erased(self):
        """Past its retention period: the donor's fields blanked and the PDF deleted
        (receipts.personal_data); its number, dates and amount stay for the registers."""
        return not self.donor_name and not self.pdf


class ReceiptLine(models.Model):
    """One payment covered by a receipt. `is_valid` mirrors the receipt's status so that the
    database itself forbids a payment in two valid receipts."""

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="lines")
    payment = models.ForeignKey(
        "dues.Payment", on_delete=models.PROTECT, related_name="receipt_lines"
    )
    amount = models.DecimalField(_("montant (€)"), **MONEY)
    received_on = models.DateField(_("date du versement"))
    method = models.CharField(_("mode de versement"), max_length=10)
    # What the payment paid for, copied from it and its pledge: a plain receipt says "sa
    # cotisation" or "son don" of that dues year.
    purpose = models.CharField(_("objet"), max_length=10, blank=True)
    dues_year = models.PositiveSmallIntegerField(_("année de cotisation"))
    is_valid = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("ligne de reçu")
        verbose_name_plural = _("lignes de reçu")
        ordering = ["receipt", "received_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment"],
                condition=Q(is_valid=True),
                name="receiptline_payment_in_one_valid_receipt",
            ),
            models.UniqueConstraint(
                fields=["receipt", "payment"], name="receiptline_payment_once_per_receipt"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="receiptline_amount_positive"),
        ]

    def __str__(self):
        return f"{self.receipt.number}: {self.amount} €"

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Une ligne de reçu ne peut pas être supprimée."))


class AnnualBatch(models.Model):
    """The January run of one fiscal year's individual receipts, and how far it got.

    Progress is read from the receipts that exist, never from a counter a crash could leave
    behind: `done` counts the year's valid summaries whose PDF exists (a receipt counts once
    it can be downloaded and sent), so a re-run never shows it going back.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("en cours")
        DONE = "done", _("terminé")

    fiscal_year = models.PositiveSmallIntegerField(_("année des versements"), unique=True)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    total = models.PositiveIntegerField(
        _("à émettre"), default=0, help_text=_("Membres qui doivent avoir un reçu de l'année.")
    )
    # Member id (as text) -> why their summary failed in this run; they are left for the next.
    failures = models.JSONField(_("échecs"), default=dict, blank=True)
    started_at = models.DateTimeField(_("lancé le"), default=timezone.now)
    last_progress_at = models.DateTimeField(_("dernier progrès le"), default=timezone.now)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("lot annuel")
        verbose_name_plural = _("lots annuels")
        ordering = ["-fiscal_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["running", "done"]), name="annualbatch_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.fiscal_year}: {self.done}/{self.total}"

    @property
    def done(self):
        """The year's individuals who have their valid summary, rendered, counted in the
        database."""
        return (
            Receipt.objects.valid()
            .filter(kind=ReceiptKind.ANNUAL, fiscal_year=self.fiscal_year)
            .exclude(pdf="")
            .count()
        )

    @property
    def failed(self):
        return len(self.failures)

    @property
    def last_error(self):
        return next(reversed(self.failures.values()), "") if self.failures else ""

    def percent(self, done=None):
        done = self.done if done is None else done
        if not self.total:
            return 100
        return min(100, round(100 * (done + self.failed) / self.total))


class ErrorReport(models.Model):
    """A member says a receipt is wrong; the treasurer answers by cancelling and reissuing.

    At most one open report per receipt (a database constraint says so): a second one while
    the first waits adds nothing for the treasurer, and a flood of reports cannot bury them."""

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="error_reports")
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("signalé le"), default=timezone.now)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("traité le"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("erreur signalée")
        verbose_name_plural = _("erreurs signalées")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["receipt"],
                condition=Q(resolved_at__isnull=True),
                name="errorreport_one_open_per_receipt",
            ),
        ]

    def __str__(self):
        return f"{self.receipt.number}: {self.message[:40]}"


class Declaration(models.Model):
    """What the treasurer declared under CGI art. 222 bis for the gifts received in `year`: the
    count and total of the valid fiscal receipts, frozen as they were on the day it was
    recorded, so that a later cancellation shows as a difference to declare."""

    year = models.PositiveSmallIntegerField(_("année des dons"), unique=True)
    declared_on = models.DateField(_("déclaré le"))
    count = models.PositiveIntegerField(_("nombre de reçus déclarés"))
    total = models.DecimalField(_("montant déclaré (€)"), **MONEY)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("enregistré le"), default=timezone.now)

    class Meta:
        verbose_name = _("déclaration des dons (CGI art. 222 bis)")
        verbose_name_plural = _("déclarations des dons (CGI art. 222 bis)")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gte=0), name="declaration_total_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.year}: {self.count} reçus, {self.total} €"


class AccountingSettings(models.Model):
    """The accounts and journals of the accountant's journal (French associations' chart of
    accounts, ANC regulation 2018-06), one row, edited by the treasurer. Until they save it,
    the chart's usual accounts apply."""

    bank_journal = models.CharField(_("journal de banque"), max_length=6, default="BQ")
    cash_journal = models.CharField(_("journal de caisse"), max_length=6, default="CA")
    bank_account = models.CharField(_("compte bancaire"), max_length=10, default="512")
    cheques_account = models.CharField(_("chèques à encaisser"), max_length=10, default="5112")
    cash_account = models.CharField(_("caisse"), max_length=10, default="53")
    dues_account = models.CharField(_("cotisations"), max_length=10, default="756")
    donations_account = models.CharField(_("dons manuels"), max_length=10, default="7541")
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now)

    ACCOUNTS = (
        "bank_account",
        "cheques_account",
        "cash_account",
        "dues_account",
        "donations_account",
    )
    JOURNALS = ("bank_journal", "cash_journal")

    class Meta:
        verbose_name = _("comptes du journal comptable")
        verbose_name_plural = _("comptes du journal comptable")
        constraints = [
            models.CheckConstraint(
                condition=Q(bank_account__regex=r"^5[0-9]{1,9}$")
                & Q(cheques_account__regex=r"^5[0-9]{1,9}$")
                & Q(cash_account__regex=r"^5[0-9]{1,9}$")
                & Q(dues_account__regex=r"^7[0-9]{1,9}$")
                & Q(donations_account__regex=r"^7[0-9]{1,9}$"),
                name="accountingsettings_accounts_of_their_class",
            ),
            models.CheckConstraint(
                condition=Q(bank_journal__regex=r"^[A-Z0-9]{1,6}$")
                & Q(cash_journal__regex=r"^[A-Z0-9]{1,6}$"),
                name="accountingsettings_journal_codes",
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls):
        """The saved row, or the chart's defaults (not saved: reading never writes)."""
        return cls.objects.order_by("pk").first() or cls()
