"""Scales, pledges (the form), payments (cheques, transfers, cash), deposit slips, imports."""

import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.files.storage import storages
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cac_portal.choices import ChoiceLabels
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
from dues.models_renewals import (  # noqa: F401  (registered with the app from here)
    Reminder,
    ReminderEmail,
    RenewalCampaign,
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


def _position(tier):
    return tier.position


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

    class Meta:
        verbose_name = _("barème")
        verbose_name_plural = _("barèmes")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tax_reduction_rate__gte=0, tax_reduction_rate__lte=1),
                name="scale_rate_between_0_and_1",
            ),
        ]

    def __str__(self):
        return str(self.year)

    def net_cost(self, amount):
        """What a gift of `amount` costs an individual after the tax reduction, to the euro."""
        return (amount * (1 - self.tax_reduction_rate)).quantize(
            Decimal("1"), rounding=ROUND_HALF_UP
        )

    def tiers_of(self, kind):
        """The tiers of `kind` by position, read from `tiers.all()`: no query when the tiers
        were prefetched (the scales of `dues.published`)."""
        return sorted((t for t in self.tiers.all() if t.member_kind == kind), key=_position)

    def suggested_amount(self, annual_budget):
        """The organisations' tier amount for a budget: the first tier whose ceiling is above."""
        for tier in self.tiers_of(MemberKind.ORGANISATION):
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


class PledgeQuerySet(models.QuerySet):
    def to_match(self):
        """Pledges made with a member's address by someone not logged in, attached to nobody
        yet: the address's owner or staff attach them."""
        return self.filter(member__isnull=True)


class Pledge(models.Model):
    """A submitted form: who means to give how much, for which year and purpose.

    A pledge sent from the public form with the address of a known member, by someone not
    logged in as that member, belongs to nobody (`member` empty) until it is attached: it keeps
    what was typed (`proposal`) and, for staff only, the member whose address it used
    (`matched_member`). It counts for no member's status meanwhile."""

    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pledges",
    )
    # Filled from the primary key right after the first insert, like the member's reference:
    # what the giver writes on the back of a cheque or in a transfer's label.
    reference = models.CharField(  # noqa: DJ001  (NULL until the first insert gives a pk)
        _("référence"), max_length=14, unique=True, null=True, editable=False
    )
    # What the form said (kind, contact fields, correspondents, the charter and privacy notice
    # versions accepted and when), for a pledge attached to nobody yet.
    proposal = models.JSONField(_("formulaire reçu"), default=dict, blank=True)
    matched_member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="matched_pledges",
        verbose_name=_("membre de cette adresse"),
    )
    year = models.PositiveSmallIntegerField(_("année"))
    purpose = models.CharField(_("objet"), max_length=10, choices=Purpose.choices)
    amount = models.DecimalField(_("montant (€)"), **MONEY)
    source = models.CharField(
        _("source"), max_length=10, choices=PledgeSource.choices, default=PledgeSource.ONLINE
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        verbose_name = _("promesse")
        verbose_name_plural = _("promesses")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="pledge_amount_positive"),
            models.CheckConstraint(
                condition=Q(purpose__in=Purpose.values), name="pledge_purpose_valid"
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False) | Q(proposal__has_key="kind"),
                name="pledge_without_member_has_a_proposal",
            ),
        ]

    def __str__(self):
        who = self.member or self.reference
        return f"{who} {self.year} {self.get_purpose_display()} {self.amount} €"

    def save(self, *args, **kwargs):
        if self.reference:
            return super().save(*args, **kwargs)
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.reference = pledge_reference(self.year, self.pk)
            type(self).objects.filter(pk=self.pk).update(reference=self.reference)

    @property
    def is_attached(self):
        return self.member_id is not None


def pledge_reference(year, pk):
    """`P2026-000042`: the pledge's year and its number, short enough for a cheque's back."""
    return f"P{year}-{pk:06d}"


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

    def receiptable(self):
        """Received payments a receipt may cover: not the past payments taken over by an
        import, which were acknowledged on paper long ago, nor those of a closed (erased)
        record, which has no donor left to name (the closure page says so beforehand)."""
        return self.valid().filter(is_imported=False, member__erased_at__isnull=True)


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


class Payment(ChoiceLabels, models.Model):
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
    # Staff said, with a reason (in the audit trail), that this cheque differs from one with
    # the same number, bank and amount: the only way past `payment_cheque_recorded_once`.
    duplicate_confirmed = models.BooleanField(_("doublon apparent confirmé"), default=False)
    created_at = models.DateTimeField(_("saisi le"), default=timezone.now)
    # A past payment taken over from the collective's old spreadsheet: it counts for the
    # member's status and the statistics, and never gets a receipt nor goes on a slip.
    is_imported = models.BooleanField(_("repris d'un ancien fichier"), default=False)

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
                condition=~Q(method=PaymentMethod.CHEQUE)
                | ~Q(cheque_number="")
                | Q(is_imported=True),
                name="payment_cheque_has_number",
                violation_error_message=_("Un chèque doit avoir un numéro."),
            ),
            models.CheckConstraint(
                condition=Q(deposit_slip__isnull=True) | Q(method=PaymentMethod.CHEQUE),
                name="payment_only_cheques_on_slips",
            ),
            models.CheckConstraint(
                condition=Q(deposit_slip__isnull=True) | Q(is_imported=False),
                name="payment_imported_never_on_a_slip",
            ),
            models.CheckConstraint(
                condition=Q(status=PaymentStatus.RECEIVED) | ~Q(status_reason=""),
                name="payment_rejection_has_reason",
                violation_error_message=_("Indiquez le motif du rejet ou de l'annulation."),
            ),
            models.UniqueConstraint(
                fields=["cheque_number", "bank", "amount"],
                condition=Q(method=PaymentMethod.CHEQUE, is_imported=False)
                & Q(status__in=[PaymentStatus.RECEIVED, PaymentStatus.REJECTED])
                & Q(duplicate_confirmed=False),
                name="payment_cheque_recorded_once_for_all_members",
                violation_error_message=_("Ce chèque est déjà enregistré."),
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
        indexes = [
            models.Index(fields=["year", "status"]),
            # The payments list's order, read backwards page after page (keyset pagination).
            models.Index(fields=["received_on", "id"], name="payment_received_keyset_idx"),
            # "Was this member up to date in that year?": the members list, the renewals,
            # the dashboard's new, renewed and lapsed members ask it for every member.
            models.Index(fields=["member", "year", "status"], name="payment_member_year_idx"),
        ]
        permissions = [("use_desk", _("Peut utiliser l'espace gestion (saisie du courrier)"))]

    def __str__(self):
        return f"{self.member} {self.get_method_display()} {self.amount} € ({self.received_on})"

    @property
    def is_locked(self):
        """A cheque on a deposited slip can no longer be edited or undone."""
        return self.deposit_slip_id is not None and self.deposit_slip.is_deposited


def private_storage():
    """The uploaded spreadsheets stay private: never served by URL."""
    return storages["private"]


class MemberImport(models.Model):
    """An uploaded spreadsheet of existing members, from its preview to its import.

    The file itself is kept (privately) between the preview and the confirmation, and every
    step reads it again from there: what gets imported is what was previewed, never what a
    browser sends back. `mapping` says which field each column fills; `processed` and `result`
    are the import's progress and outcome, committed as it goes."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("aperçu")
        QUEUED = "queued", _("en file d'attente")
        RUNNING = "running", _("en cours")
        DONE = "done", _("terminé")
        FAILED = "failed", _("échec")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(_("fichier"), storage=private_storage, upload_to="imports/")
    filename = models.CharField(_("nom du fichier"), max_length=255)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    encoding = models.CharField(_("encodage"), max_length=20, blank=True)
    headers = models.JSONField(_("en-têtes"), default=list)
    mapping = models.JSONField(_("correspondance des colonnes"), default=list)
    total = models.PositiveIntegerField(_("lignes"), default=0)
    processed = models.PositiveIntegerField(_("lignes traitées"), default=0)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PREVIEW
    )
    result = models.JSONField(_("résultat"), default=dict, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    created_at = models.DateTimeField(_("déposé le"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("import de membres")
        verbose_name_plural = _("imports de membres")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["preview", "queued", "running", "done", "failed"]),
                name="memberimport_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    def percent(self):
        if not self.total:
            return 100
        return min(100, round(100 * self.processed / self.total))
