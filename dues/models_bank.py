"""The bank's side of dues: imported statements, their credit lines, what matching suggests for
each line, the payers' accounts learned from confirmed lines, and the CSV layouts of banks.

Registered with the app through `dues.models`, which imports them. Nothing here imports
`dues.models` (a line's payments point at it from there: `Payment.bank_line`).

A line is handled one way at most: it pays (a received or rejected `Payment` points at it; the
database allows one), it credits a deposit slip (`status` "slip"), or it is dismissed (`status`
"dismissed", with its reason). An "open" line with no live payment is what staff review.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StatementFormat(models.TextChoices):
    CAMT053 = "camt053", _("CAMT.053 (ISO 20022)")
    OFX = "ofx", _("OFX")
    CSV = "csv", _("CSV")


class BankStatement(models.Model):
    """One imported file: what it was, which account and period it covered, who imported it."""

    file_name = models.CharField(_("fichier"), max_length=255)
    format = models.CharField(_("format"), max_length=10, choices=StatementFormat.choices)
    account_iban = models.CharField(_("IBAN du compte"), max_length=34, blank=True)
    period_start = models.DateField(_("du"), null=True, blank=True)
    period_end = models.DateField(_("au"), null=True, blank=True)
    credits_read = models.PositiveIntegerField(_("crédits lus"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("importé par"),
    )
    imported_at = models.DateTimeField(_("importé le"), default=timezone.now)

    class Meta:
        verbose_name = _("relevé bancaire")
        verbose_name_plural = _("relevés bancaires")
        ordering = ["-imported_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(format__in=StatementFormat.values), name="statement_format_valid"
            ),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.imported_at:%Y-%m-%d})"


class BankLineStatus(models.TextChoices):
    OPEN = "open", _("à traiter")
    SLIP = "slip", _("crédit d'un bordereau de remise")
    DISMISSED = "dismissed", _("écartée")


class BankLine(models.Model):
    """A credit on the collective's account, stored once per account.

    `fingerprint` is the bank's own reference for the transaction when the file gives one, else
    a hash of the account, date, amount, label and rank among the identical lines of that day:
    importing the same statement again, or one that overlaps, finds the lines already there.
    """

    statement = models.ForeignKey(
        BankStatement, on_delete=models.PROTECT, related_name="lines", verbose_name=_("relevé")
    )
    # The statement's IBAN, else the file's own account number: what "the same line" is within.
    account = models.CharField(_("compte"), max_length=64, blank=True)
    booking_date = models.DateField(_("date d'opération"))
    value_date = models.DateField(_("date de valeur"), null=True, blank=True)
    amount = models.DecimalField(_("montant (€)"), max_digits=12, decimal_places=2)
    label = models.TextField(_("libellé"), blank=True)
    counterparty_name = models.CharField(_("donneur d'ordre"), max_length=200, blank=True)
    counterparty_iban = models.CharField(_("IBAN du donneur d'ordre"), max_length=34, blank=True)
    bank_reference = models.CharField(_("référence bancaire"), max_length=100, blank=True)
    fingerprint = models.CharField(max_length=120)
    status = models.CharField(
        _("état"), max_length=10, choices=BankLineStatus.choices, default=BankLineStatus.OPEN
    )
    deposit_slip = models.OneToOneField(
        "dues.DepositSlip",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_credit",
        verbose_name=_("bordereau crédité"),
    )
    dismissed_reason = models.TextField(_("motif"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(_("traitée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("ligne de relevé")
        verbose_name_plural = _("lignes de relevé")
        ordering = ["booking_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "fingerprint"], name="bank_line_once_per_account"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="bank_line_is_a_credit"),
            models.CheckConstraint(
                condition=Q(status__in=BankLineStatus.values), name="bank_line_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=BankLineStatus.SLIP, deposit_slip__isnull=False)
                | (~Q(status=BankLineStatus.SLIP) & Q(deposit_slip__isnull=True)),
                name="bank_line_slip_credit_names_its_slip",
            ),
            models.CheckConstraint(
                condition=(Q(status=BankLineStatus.DISMISSED) & ~Q(dismissed_reason=""))
                | (~Q(status=BankLineStatus.DISMISSED) & Q(dismissed_reason="")),
                name="bank_line_dismissal_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "booking_date"])]

    def __str__(self):
        return f"{self.booking_date:%d/%m/%Y} {self.amount} € {self.label[:40]}"


class MatchRule(models.TextChoices):
    """Why a line was matched, in the order the rules are tried."""

    CREDITOR_REFERENCE = "rf", _("référence RF du virement")
    MEMBER_REFERENCE = "member_ref", _("référence de membre dans le libellé")
    KNOWN_ACCOUNT = "known_iban", _("compte déjà connu")
    SLIP_TOTAL = "slip_total", _("total d'un bordereau de remise")
    AMOUNT_AND_NAME = "amount_name", _("montant et nom")


class Confidence(models.TextChoices):
    SURE = "sure", _("sûre")
    LIKELY = "likely", _("probable")
    POSSIBLE = "possible", _("possible")


class LineSuggestion(models.Model):
    """What matching proposes for an open line: a member (and the pledge and year the payment
    would be for, or the transfer already logged by hand that the line is), or a deposit slip
    whose total the line credits. Recomputed at will."""

    line = models.ForeignKey(BankLine, on_delete=models.CASCADE, related_name="suggestions")
    position = models.PositiveSmallIntegerField()
    rule = models.CharField(_("règle"), max_length=12, choices=MatchRule.choices)
    confidence = models.CharField(_("certitude"), max_length=10, choices=Confidence.choices)
    # What the rule found: the reference, the account, the name as the bank wrote it.
    evidence = models.CharField(_("indice"), max_length=200, blank=True)
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    pledge = models.ForeignKey(
        "dues.Pledge", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("année de cotisation"), null=True, blank=True)
    deposit_slip = models.ForeignKey(
        "dues.DepositSlip", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # A transfer staff already logged by hand: the line is its bank's side, not a new payment.
    payment = models.ForeignKey(
        "dues.Payment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("suggestion de rapprochement")
        verbose_name_plural = _("suggestions de rapprochement")
        ordering = ["line", "position"]
        constraints = [
            models.UniqueConstraint(fields=["line", "position"], name="suggestion_position_unique"),
            models.CheckConstraint(
                condition=Q(member__isnull=False, year__isnull=False, deposit_slip__isnull=True)
                | Q(
                    member__isnull=True,
                    pledge__isnull=True,
                    payment__isnull=True,
                    deposit_slip__isnull=False,
                ),
                name="suggestion_names_a_member_or_a_slip",
            ),
            models.CheckConstraint(
                condition=Q(rule__in=MatchRule.values), name="suggestion_rule_valid"
            ),
            models.CheckConstraint(
                condition=Q(confidence__in=Confidence.values), name="suggestion_confidence_valid"
            ),
        ]

    def __str__(self):
        return f"{self.line_id}#{self.position} {self.rule} {self.confidence}"


class KnownPayerAccount(models.Model):
    """An IBAN that paid for a member, learned when staff confirmed one of its lines."""

    iban = models.CharField(_("IBAN"), max_length=34)
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="known_accounts"
    )
    learned_from = models.ForeignKey(
        BankLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    learned_at = models.DateTimeField(_("appris le"), default=timezone.now)

    class Meta:
        verbose_name = _("compte payeur connu")
        verbose_name_plural = _("comptes payeurs connus")
        constraints = [
            models.UniqueConstraint(fields=["iban", "member"], name="known_payer_once"),
        ]

    def __str__(self):
        return f"{self.iban} → {self.member_id}"


class BankCsvLayout(models.Model):
    """Which column of a bank's CSV export holds what, told once and recognised by the
    signature of the header (its column names and separator) on every later import."""

    signature = models.CharField(max_length=64, unique=True)
    header = models.JSONField(_("colonnes"), default=list)
    delimiter = models.CharField(_("séparateur"), max_length=1)
    bank_name = models.CharField(_("banque"), max_length=100, blank=True)
    date_column = models.CharField(_("date d'opération"), max_length=200)
    value_date_column = models.CharField(_("date de valeur"), max_length=200, blank=True)
    label_column = models.CharField(_("libellé"), max_length=200)
    detail_column = models.CharField(_("libellé complémentaire"), max_length=200, blank=True)
    amount_column = models.CharField(_("montant signé"), max_length=200, blank=True)
    credit_column = models.CharField(_("crédit"), max_length=200, blank=True)
    debit_column = models.CharField(_("débit"), max_length=200, blank=True)
    counterparty_column = models.CharField(_("donneur d'ordre"), max_length=200, blank=True)
    reference_column = models.CharField(_("référence bancaire"), max_length=200, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    saved_at = models.DateTimeField(_("enregistré le"), default=timezone.now)

    class Meta:
        verbose_name = _("format CSV d'une banque")
        verbose_name_plural = _("formats CSV des banques")
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount_column="") | ~Q(credit_column=""),
                name="csv_layout_has_an_amount",
            ),
        ]

    def __str__(self):
        return self.bank_name or ", ".join(self.header)

    @property
    def columns(self):
        """{role: column name} of the roles this layout fills."""
        roles = (
            "date_column",
            "value_date_column",
            "label_column",
            "detail_column",
            "amount_column",
            "credit_column",
            "debit_column",
            "counterparty_column",
            "reference_column",
        )
        return {role: getattr(self, role) for role in roles if getattr(self, role)}
