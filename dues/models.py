"""Scales, pledges (the form), payments (cheques, transfers, cash), deposit slips."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dues.models_bank import (  # noqa: F401  (registered with the app from here)
    BankCsvLayout,
    BankLine,
    BankLineStatus,
    BankStatement,
    Confidence,
    KnownPayerAccount,
    LineSuggestion,
    MatchRule,
    StatementFormat,
)
from members.models import MemberKind

MONEY = {"max_digits": 12, "decimal_places": 2}


class Counter(models.Model):
    """A gap-free sequence per name and year (receipt numbers, deposit slip numbers).

    Taken with `dues.numbering.take_next()` under `select_for_update()` in the transaction that
    inserts the numbered row: a rollback gives the number back, two writers wait for each other.
    """

    name = models.CharField(max_length=30)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "year"], name="counter_unique_per_year"),
        ]

    def __str__(self):
        return f"{self.name} {self.year}: {self.last_value}"


class Scale(models.Model):
    """The indicative dues of one campaign year; the form suggests, the person decides."""

    year = models.PositiveSmallIntegerField(_("année"), unique=True)
    tax_reduction_rate = models.DecimalField(
        _("taux de réduction d'impôt (particuliers)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.66"),
        help_text=_("0,66 pour 66 % (CGI art. 200)."),
    )
    corporate_tax_reduction_rate = models.DecimalField(
        _("taux de réduction d'impôt (entreprises)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.60"),
        help_text=_("0,60 pour 60 % (CGI art. 238 bis)."),
    )

    class Meta:
        verbose_name = _("barème")
        verbose_name_plural = _("barèmes")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tax_reduction_rate__gte=0, tax_reduction_rate__lte=1)
                & Q(corporate_tax_reduction_rate__gte=0, corporate_tax_reduction_rate__lte=1),
                name="scale_rates_between_0_and_1",
            ),
        ]

    def __str__(self):
        return str(self.year)

    def net_cost(self, amount):
        """What a gift of `amount` costs an individual after the tax reduction, to the euro."""
        return (amount * (1 - self.tax_reduction_rate)).quantize(
            Decimal("1"), rounding=ROUND_HALF_UP
        )

    def suggested_amount(self, annual_budget):
        """The organisations' tier amount for a budget: the first tier whose ceiling is above."""
        for tier in self.tiers.filter(member_kind=MemberKind.ORGANISATION).order_by("position"):
            if tier.budget_ceiling is None or annual_budget < tier.budget_ceiling:
                return tier.amount
        return None


class Tier(models.Model):
    scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="tiers")
    member_kind = models.CharField(_("type de membre"), max_length=12, choices=MemberKind.choices)
    position = models.PositiveSmallIntegerField(_("rang"))
    label = models.CharField(_("libellé"), max_length=200)
    amount = models.DecimalField(_("montant (€)"), **MONEY)
    budget_ceiling = models.DecimalField(
        _("budget annuel inférieur à (€)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Organisations seulement ; vide pour la dernière tranche (« au-delà »)."),
    )

    class Meta:
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        ordering = ["scale", "member_kind", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["scale", "member_kind", "position"], name="tier_position_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="tier_amount_positive"),
            models.CheckConstraint(
                condition=Q(member_kind=MemberKind.ORGANISATION) | Q(budget_ceiling__isnull=True),
                name="tier_budget_ceiling_organisations_only",
            ),
        ]

    def __str__(self):
        return f"{self.scale.year} {self.get_member_kind_display()} : {self.amount} €"


class Purpose(models.TextChoices):
    ADHESION = "adhesion", _("adhésion")
    DONATION = "donation", _("soutien/don")


class PledgeSource(models.TextChoices):
    ONLINE = "online", _("en ligne")
    PAPER = "paper", _("formulaire papier")
    RENEWAL = "renewal", _("renouvellement")


class Pledge(models.Model):
    """A submitted form: who means to give how much, for which year and purpose."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="pledges")
    year = models.PositiveSmallIntegerField(_("année"))
    purpose = models.CharField(_("objet"), max_length=10, choices=Purpose.choices)
    amount = models.DecimalField(_("montant (€)"), **MONEY)
    source = models.CharField(
        _("source"), max_length=10, choices=PledgeSource.choices, default=PledgeSource.ONLINE
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    class Meta:
        verbose_name = _("promesse")
        verbose_name_plural = _("promesses")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="pledge_amount_positive"),
            models.CheckConstraint(
                condition=Q(purpose__in=Purpose.values), name="pledge_purpose_valid"
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.year} {self.get_purpose_display()} {self.amount} €"


class PaymentMethod(models.TextChoices):
    CHEQUE = "cheque", _("chèque")
    TRANSFER = "transfer", _("virement")
    CASH = "cash", _("espèces")


class PaymentStatus(models.TextChoices):
    RECEIVED = "received", _("reçu")
    REJECTED = "rejected", _("rejeté (impayé)")
    CANCELLED = "cancelled", _("annulé (erreur de saisie)")


class PaymentQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(status=PaymentStatus.RECEIVED)


class DepositSlip(models.Model):
    """A bordereau de remise de chèques, numbered BR-YYYY-NNN."""

    number = models.CharField(_("numéro"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(_("année"))
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deposited_at = models.DateTimeField(_("remis en banque le"), null=True, blank=True)
    # The day the bank's statement shows the slip's total credited (`BankLine.deposit_slip`).
    credited_on = models.DateField(_("crédité le"), null=True, blank=True)

    class Meta:
        verbose_name = _("bordereau de remise")
        verbose_name_plural = _("bordereaux de remise")
        ordering = ["-created_at"]

    def __str__(self):
        return self.number

    @property
    def is_deposited(self):
        return self.deposited_at is not None


class Payment(models.Model):
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="payments")
    pledge = models.ForeignKey(
        Pledge, on_delete=models.SET_NULL, null=True, blank=True, related_name="payments"
    )
    year = models.PositiveSmallIntegerField(_("année de cotisation"))
    method = models.CharField(_("mode"), max_length=10, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("montant (€)"), **MONEY)
    received_on = models.DateField(_("reçu le"))
    cheque_number = models.CharField(_("n° de chèque"), max_length=30, blank=True)
    bank = models.CharField(_("banque"), max_length=100, blank=True)
    drawer = models.CharField(_("tireur"), max_length=200, blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.RECEIVED
    )
    status_reason = models.TextField(_("motif"), blank=True)
    deposit_slip = models.ForeignKey(
        DepositSlip,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("bordereau"),
    )
    # A transfer read on the bank's statement: its line, and the bank's own reference for it.
    bank_line = models.ForeignKey(
        "dues.BankLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("ligne de relevé"),
    )
    bank_reference = models.CharField(_("référence bancaire"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("saisi le"), default=timezone.now)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("paiement")
        verbose_name_plural = _("paiements")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(method__in=PaymentMethod.values), name="payment_method_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=PaymentStatus.values), name="payment_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(method=PaymentMethod.CHEQUE) | ~Q(cheque_number=""),
                name="payment_cheque_has_number",
                violation_error_message=_("Un chèque doit avoir un numéro."),
            ),
            models.CheckConstraint(
                condition=Q(deposit_slip__isnull=True) | Q(method=PaymentMethod.CHEQUE),
                name="payment_only_cheques_on_slips",
            ),
            models.CheckConstraint(
                condition=Q(status=PaymentStatus.RECEIVED) | ~Q(status_reason=""),
                name="payment_rejection_has_reason",
                violation_error_message=_("Indiquez le motif du rejet ou de l'annulation."),
            ),
            models.UniqueConstraint(
                fields=["member", "cheque_number", "bank", "amount"],
                condition=Q(method=PaymentMethod.CHEQUE) & ~Q(status=PaymentStatus.CANCELLED),
                name="payment_cheque_recorded_once",
                violation_error_message=_("Ce chèque est déjà enregistré pour ce membre."),
            ),
            # A line of the bank's statement pays once: undoing its payment (cancelled) frees it.
            models.UniqueConstraint(
                fields=["bank_line"],
                condition=Q(bank_line__isnull=False) & ~Q(status=PaymentStatus.CANCELLED),
                name="payment_once_per_bank_line",
                violation_error_message=_("Cette ligne du relevé est déjà rapprochée."),
            ),
            models.CheckConstraint(
                condition=Q(bank_line__isnull=True) | Q(method=PaymentMethod.TRANSFER),
                name="payment_bank_line_is_a_transfer",
            ),
        ]
        indexes = [models.Index(fields=["year", "status"]), models.Index(fields=["received_on"])]
        permissions = [("use_desk", _("Peut utiliser l'espace gestion (saisie du courrier)"))]

    def __str__(self):
        return f"{self.member} {self.get_method_display()} {self.amount} € ({self.received_on})"

    @property
    def is_locked(self):
        """A cheque on a deposited slip can no longer be edited or undone."""
        return self.deposit_slip_id is not None and self.deposit_slip.is_deposited
