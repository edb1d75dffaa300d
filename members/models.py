"""Individuals and organisations, their correspondents, and the audit trail of who changed what."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MemberKind(models.TextChoices):
    INDIVIDUAL = "individual", _("personne physique")
    ORGANISATION = "organisation", _("personne morale")


# The contact fields a form (online, paper, member space) may set on a member, per kind.
CONTACT_FIELDS = {
    MemberKind.INDIVIDUAL: [
        "last_name",
        "first_name",
        "activity",
        "function",
        "phone_professional",
        "phone_home",
        "phone_mobile",
        "email",
        "website",
        "street",
        "postal_code",
        "city",
        "country",
    ],
    MemberKind.ORGANISATION: [
        "name",
        "acronym",
        "phone",
        "phone_mobile",
        "email",
        "website",
        "street",
        "postal_code",
        "city",
        "country",
        "federations_count",
        "associations_count",
        "members_count",
        "annual_budget",
        "directory_opt_in",
        "directory_description",
    ],
}
ALL_CONTACT_FIELDS = list(
    dict.fromkeys(CONTACT_FIELDS[MemberKind.INDIVIDUAL] + CONTACT_FIELDS[MemberKind.ORGANISATION])
)
CORRESPONDENT_FIELDS = ["name", "function", "email", "phone_professional", "phone_mobile"]


class MemberQuerySet(models.QuerySet):
    def organisations(self):
        return self.filter(kind=MemberKind.ORGANISATION)

    def in_directory(self):
        return self.organisations().filter(directory_opt_in=True, closed_at__isnull=True)


class Member(models.Model):
    kind = models.CharField(_("type"), max_length=12, choices=MemberKind.choices)
    # Filled from the primary key right after the first insert: stable, unique, short enough to
    # be written on the back of a cheque.
    reference = models.CharField(  # noqa: DJ001  (NULL until the first insert gives a pk)
        _("référence"), max_length=12, unique=True, null=True, editable=False
    )
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("compte"),
    )

    # Individual
    last_name = models.CharField(_("nom"), max_length=100, blank=True)
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    activity = models.CharField(_("association / activité(s)"), max_length=200, blank=True)
    function = models.CharField(_("fonction"), max_length=200, blank=True)
    phone_professional = models.CharField(_("tél. professionnel"), max_length=20, blank=True)
    phone_home = models.CharField(_("tél. domicile"), max_length=20, blank=True)

    # Organisation
    name = models.CharField(_("nom de la structure"), max_length=200, blank=True)
    acronym = models.CharField(_("sigle"), max_length=30, blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    federations_count = models.PositiveIntegerField(
        _("fédérations regroupées"), null=True, blank=True
    )
    associations_count = models.PositiveIntegerField(
        _("associations regroupées"), null=True, blank=True
    )
    members_count = models.PositiveIntegerField(_("adhérents au total"), null=True, blank=True)
    annual_budget = models.DecimalField(
        _("budget annuel (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    is_liable_to_corporate_tax = models.BooleanField(
        _("assujettie à l'impôt sur les sociétés"),
        default=False,
        help_text=_("Reçoit alors un reçu fiscal (CGI art. 238 bis) au lieu d'un reçu acquitté."),
    )
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    legal_form = models.CharField(_("forme juridique"), max_length=100, blank=True)
    directory_opt_in = models.BooleanField(_("figurer dans l'annuaire"), default=False)
    directory_description = models.CharField(
        _("description en une ligne"), max_length=200, blank=True
    )

    # Both
    phone_mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    website = models.URLField(_("site internet"), blank=True)
    street = models.CharField(_("adresse"), max_length=200, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)
    country = models.CharField(_("pays"), max_length=2, default="FR")

    created_at = models.DateTimeField(_("créé le"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    closed_at = models.DateTimeField(_("compte clos le"), null=True, blank=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MemberKind.values),
                name="member_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind=MemberKind.INDIVIDUAL) | ~Q(last_name=""),
                name="member_individual_has_last_name",
                violation_error_message=_("Une personne physique doit avoir un nom."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=MemberKind.ORGANISATION) | ~Q(name=""),
                name="member_organisation_has_name",
                violation_error_message=_("Une personne morale doit avoir un nom."),
            ),
            models.CheckConstraint(
                condition=Q(is_liable_to_corporate_tax=False)
                | (Q(kind=MemberKind.ORGANISATION) & ~Q(siren="")),
                name="member_corporate_tax_needs_siren",
                violation_error_message=_(
                    "Une structure assujettie à l'impôt sur les sociétés doit avoir un SIREN."
                ),
            ),
            models.CheckConstraint(
                condition=Q(annual_budget__isnull=True) | Q(annual_budget__gte=0),
                name="member_budget_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(directory_opt_in=False) | Q(kind=MemberKind.ORGANISATION),
                name="member_directory_organisations_only",
            ),
        ]
        indexes = [models.Index(fields=["last_name", "first_name"]), models.Index(fields=["name"])]

    def __str__(self):
        return f"{self.display_name} ({self.reference})" if self.reference else self.display_name

    def save(self, *args, **kwargs):
        if self.reference:
            return super().save(*args, **kwargs)
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.reference = f"CAC-{self.pk:06d}"
            type(self).objects.filter(pk=self.pk).update(reference=self.reference)

    @property
    def is_organisation(self):
        return self.kind == MemberKind.ORGANISATION

    @property
    def display_name(self):
        if self.is_organisation:
            return f"{self.name} ({self.acronym})" if self.acronym else self.name
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def postal_address(self):
        lines = [self.street, f"{self.postal_code} {self.city}".strip()]
        if self.country and self.country != "FR":
            lines.append(self.country)
        return "\n".join(line for line in lines if line)


class Correspondent(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="correspondents")
    position = models.PositiveSmallIntegerField(_("rang"), default=0)
    name = models.CharField(_("nom et prénom"), max_length=200)
    function = models.CharField(_("fonction"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone_professional = models.CharField(_("tél. professionnel"), max_length=20, blank=True)
    phone_mobile = models.CharField(_("mobile"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("correspondant")
        verbose_name_plural = _("correspondants")
        ordering = ["member", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="correspondent_has_name"),
        ]

    def __str__(self):
        return self.name


class AuditEntry(models.Model):
    """Who did what to which row, with the values before and after.

    The vocabulary is closed: `action` is one of `Action`, and `members.audit` is the only
    writer (it refuses any other action). Labels are what the staff's pages show."""

    class Action(models.TextChoices):
        MEMBER_CREATED = "member.created", _("membre créé")
        MEMBER_CLAIMED = "member.claimed", _("fiche rattachée à un compte")
        MEMBER_CONTACT_CHANGED = "member.contact_changed", _("coordonnées modifiées")
        MEMBER_CONTACT_PROPOSED = "member.contact_proposed", _("coordonnées proposées")
        PLEDGE_UPDATED = "pledge.updated", _("promesse modifiée")
        PLEDGE_RENEWED = "pledge.renewed", _("renouvellement")
        PAYMENT_RECORDED = "payment.recorded", _("saisi")
        PAYMENT_REJECTED = "payment.rejected", _("marqué rejeté (chèque impayé)")
        PAYMENT_CANCELLED = "payment.cancelled", _("saisie annulée")
        PAYMENT_UPDATED = "payment.updated", _("chèque corrigé")
        PAYMENT_SLIPPED = "payment.slipped", _("mis sur un bordereau")
        SLIP_CREATED = "slip.created", _("bordereau créé")
        SLIP_DEPOSITED = "slip.deposited", _("bordereau remis en banque")
        SLIP_CREDITED = "slip.credited", _("bordereau crédité par la banque")
        BANK_DETAILS_CHANGED = (
            "collective.bank_details_changed",
            _("coordonnées bancaires modifiées"),
        )
        STATEMENT_IMPORTED = "statement.imported", _("relevé bancaire importé")
        CSV_LAYOUT_SAVED = "statement.csv_layout_saved", _("colonnes d'un relevé CSV enregistrées")
        BANK_LINE_CONFIRMED = "bank_line.confirmed", _("ligne de relevé rapprochée d'un paiement")
        BANK_LINE_SLIP = "bank_line.slip_credited", _("ligne de relevé rapprochée d'un bordereau")
        BANK_LINE_DISMISSED = "bank_line.dismissed", _("ligne de relevé écartée")
        BANK_LINE_REOPENED = "bank_line.reopened", _("ligne de relevé remise à traiter")
        RECEIPT_ISSUED = "receipt.issued", _("reçu émis")
        RECEIPT_CANCELLED = "receipt.cancelled", _("reçu annulé")
        RECEIPT_DOWNLOADED = "receipt.downloaded", _("reçu téléchargé par l'équipe")
        RECEIPT_ERROR_REPORTED = "receipt.error_reported", _("erreur signalée sur un reçu")
        RECEIPT_REPORT_RESOLVED = "receipt.report_resolved", _("signalement traité")
        BATCH_STARTED = "batch.started", _("lot annuel lancé")
        BATCH_RESUMED = "batch.resumed", _("lot annuel relancé (arrêté en cours de route)")

    at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    action = models.CharField(_("action"), max_length=50, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    before = models.JSONField(_("avant"), default=dict, blank=True)
    after = models.JSONField(_("après"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal des modifications")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.content_type.model}#{self.object_id}"
