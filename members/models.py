"""Individuals and organisations, their correspondents, who may log into them, and the audit
trail of who changed what."""

import unicodedata
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cac_portal.choices import ChoiceLabels
from members.validators import ConstraintsInOneQuery, validate_siren


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
# A member's contact columns in the spreadsheets the desk exports and imports, in their order:
# an export can be imported back column for column.
SPREADSHEET_FIELDS = [
    "kind",
    "last_name",
    "first_name",
    "name",
    "acronym",
    "activity",
    "function",
    "email",
    "phone_professional",
    "phone_home",
    "phone",
    "phone_mobile",
    "website",
    "street",
    "postal_code",
    "city",
    "country",
    "annual_budget",
]
CORRESPONDENT_FIELDS = ["name", "function", "email", "phone_professional", "phone_mobile"]


# What staff search a member by: folded into `Member.search_text` on every save.
SEARCHED_FIELDS = [
    "reference",
    "last_name",
    "first_name",
    "name",
    "acronym",
    "email",
    "city",
    "phone",
    "phone_mobile",
    "phone_professional",
    "phone_home",
]


def fold(value):
    """`value` without accents, in lower case, its white space runs made one space: what the
    search column holds and what a typed search is turned into ("Société" → "societe")."""
    decomposed = unicodedata.normalize("NFKD", str(value or ""))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


def search_text_of(member):
    """What `Member.search_text` holds for `member`: for code that writes members in bulk
    (bulk_create does not call `save()`)."""
    words = [getattr(member, name) or "" for name in SEARCHED_FIELDS]
    # A French number is typed "0612345678" more often than "+33612345678": both are found.
    words += ["0" + phone[3:] for phone in words if phone.startswith("+33")]
    return fold(" ".join(word for word in words if word))


class MemberQuerySet(models.QuerySet):
    def organisations(self):
        return self.filter(kind=MemberKind.ORGANISATION)

    def open(self):
        """Members neither closed nor merged into another record."""
        return self.filter(closed_at__isnull=True, merged_into__isnull=True)

    def reachable(self):
        """Members the collective may still write to unasked (renewal reminders): open (neither
        closed nor merged) and not unsubscribed from reminders. The one place to add a
        condition (an account closure, an erasure) that must stop every reminder."""
        return self.open().filter(reminders_unsubscribed_at__isnull=True)

    def in_directory(self):
        return self.organisations().filter(directory_opt_in=True, closed_at__isnull=True)


class Member(ChoiceLabels, ConstraintsInOneQuery, models.Model):
    kind = models.CharField(_("type"), max_length=12, choices=MemberKind.choices)
    # Filled from the primary key right after the first insert: stable, unique, short enough to
    # be written on the back of a cheque.
    reference = models.CharField(  # noqa: DJ001  (NULL until the first insert gives a pk)
        _("référence"), max_length=12, unique=True, null=True, editable=False
    )
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

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
    is_company = models.BooleanField(
        _("entreprise (impôt sur les sociétés ou sur le revenu)"),
        default=False,
        help_text=_(
            "Une entreprise reçoit un reçu fiscal (CGI art. 238 bis, modèle 16216) au lieu d'un "
            "reçu acquitté ; son SIREN et sa forme juridique sont alors obligatoires."
        ),
    )
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[validate_siren])
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
    # When its contact data was erased (the member closed it, staff did on a written request,
    # or the retention period ran out): the record keeps its reference and money, nothing else.
    erased_at = models.DateTimeField(_("données personnelles effacées le"), null=True, blank=True)
    # When the member was told that its contact data would soon be erased (retention).
    retention_warned_at = models.DateTimeField(
        _("prévenu de l'effacement le"), null=True, blank=True
    )
    # The language the member wrote in (the form's): their emails are written in it.
    language = models.CharField(
        _("langue"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    reminders_unsubscribed_at = models.DateTimeField(
        _("désabonné des relances le"), null=True, blank=True
    )
    # A new contact email waits here until its owner verifies it (members.services).
    pending_email = models.EmailField(_("nouvel e-mail à vérifier"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
        verbose_name=_("fusionné dans"),
    )
    merged_at = models.DateTimeField(_("fusionné le"), null=True, blank=True)
    # Names, acronym, email, reference, city and phones folded by `fold`, kept by `save()`.
    search_text = models.TextField(_("texte de recherche"), blank=True, editable=False)

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
                condition=Q(is_company=False)
                | (Q(kind=MemberKind.ORGANISATION) & ~Q(siren="") & ~Q(legal_form="")),
                name="member_company_has_siren_and_legal_form",
                violation_error_message=_(
                    "Une entreprise doit avoir un SIREN et une forme juridique."
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
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True, merged_at__isnull=True)
                | Q(merged_into__isnull=False, merged_at__isnull=False, closed_at__isnull=False),
                name="member_merged_has_date_and_is_closed",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")), name="member_not_merged_into_itself"
            ),
            models.CheckConstraint(
                condition=Q(erased_at__isnull=True)
                | Q(
                    closed_at__isnull=False,
                    email="",
                    pending_email="",
                    first_name="",
                    phone="",
                    phone_mobile="",
                    phone_home="",
                    phone_professional="",
                    street="",
                    website="",
                    directory_opt_in=False,
                ),
                name="member_erased_is_closed_and_has_no_contact",
            ),
        ]
        permissions = [
            (
                "view_processing_record",
                _("Peut consulter le registre des activités de traitement (RGPD art. 30)"),
            )
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            models.Index(fields=["name"]),
            # The public form finds a known member by email, whatever its case
            # (dues.services.pledges.find_member).
            models.Index(Upper("email"), name="member_email_upper_idx"),
            # The desk's search: its matches in the order it shows them, the first twenty
            # read from the index instead of sorting every match (members.search).
            models.Index(
                fields=["kind", "last_name", "first_name", "name", "id"],
                condition=Q(closed_at__isnull=True, merged_into__isnull=True),
                name="member_search_order_idx",
            ),
            # The public directory: organisations that opted in, by name.
            models.Index(
                fields=["name", "id"],
                condition=Q(kind="organisation", directory_opt_in=True, closed_at__isnull=True),
                name="member_directory_idx",
            ),
        ]

    def __str__(self):
        return f"{self.display_name} ({self.reference})" if self.reference else self.display_name

    def save(self, *args, update_fields=None, **kwargs):
        """Keeps `search_text` in step with the fields it folds, whoever saves the member."""
        self.search_text = search_text_of(self)
        if update_fields is not None and set(update_fields) & set(SEARCHED_FIELDS):
            update_fields = [*update_fields, "search_text"]
        if self.reference:
            return super().save(*args, update_fields=update_fields, **kwargs)
        with transaction.atomic():
            super().save(*args, update_fields=update_fields, **kwargs)
            self.reference = f"CAC-{self.pk:06d}"
            self.search_text = search_text_of(self)
            type(self).objects.filter(pk=self.pk).update(
                reference=self.reference, search_text=self.search_text
            )

    @property
    def is_erased(self):
        return self.erased_at is not None

    @property
    def is_merged(self):
        return self.merged_into_id is not None

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


class Correspondent(ConstraintsInOneQuery, models.Model):
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


class Access(models.Model):
    """Who may log into a member's space: whoever claimed it (an owner) and the people an owner
    or staff let in. An owner invites and removes the others."""

    class Role(models.TextChoices):
        OWNER = "owner", _("responsable")
        MEMBER = "member", _("accès simple")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="member_accesses",
        verbose_name=_("compte"),
    )
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invité par"),
    )
    created_at = models.DateTimeField(_("depuis le"), default=timezone.now)

    class Meta:
        verbose_name = _("accès")
        verbose_name_plural = _("accès")
        ordering = ["member", "-role", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["member", "user"], name="access_once_per_member"),
            models.CheckConstraint(
                condition=Q(role__in=["owner", "member"]), name="access_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.member} ({self.get_role_display()})"

    @property
    def is_owner(self):
        return self.role == self.Role.OWNER


class Invitation(models.Model):
    """An email inviting someone into a member's space. Its link is signed and expires; it serves
    once, and a cancelled invitation serves no more, so a removed access never comes back
    through an old link."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail invité"))
    role = models.CharField(
        _("rôle"), max_length=10, choices=Access.Role.choices, default=Access.Role.MEMBER
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("envoyée le"), default=timezone.now)
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(cancelled_at__isnull=True),
                name="invitation_accepted_or_cancelled_not_both",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.member}"

    @property
    def is_open(self):
        return self.accepted_at is None and self.cancelled_at is None


class Submission(models.Model):
    """A form that created something, by its one-time key (made when the form was shown).

    The unique key is the guard: a second POST of the same form (a double click, a replay, two
    requests at once) meets the first one's row and is given its result instead of creating
    again (`members.submissions.once`)."""

    key = models.UUIDField(unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    # What the view needs to answer a replay as it answered the first time (its redirect).
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("formulaire envoyé")
        verbose_name_plural = _("formulaires envoyés")

    def __str__(self):
        return str(self.key)


class AuditEntry(models.Model):
    """Who did what to which row, with the values before and after.

    The vocabulary is closed: `action` is one of `Action`, and `members.audit` is the only
    writer (it refuses any other action). Labels are what the staff's pages show."""

    class Action(models.TextChoices):
        MEMBER_CREATED = "member.created", _("membre créé")
        MEMBER_CLAIMED = "member.claimed", _("fiche rattachée à un compte")
        MEMBER_CONTACT_CHANGED = "member.contact_changed", _("coordonnées modifiées")
        MEMBER_CONTACT_PROPOSED = "member.contact_proposed", _("coordonnées proposées")
        MEMBER_CREATED_ANYWAY = "member.created_anyway", _("membre créé malgré des doublons")
        MEMBER_MERGED = "member.merged", _("fiches fusionnées")
        MEMBER_EMAIL_CHANGE_REQUESTED = (
            "member.email_change_requested",
            _("nouvel e-mail en attente de vérification"),
        )
        MEMBER_EMAIL_CHANGED = "member.email_changed", _("e-mail vérifié et changé")
        ACCESS_INVITED = "access.invited", _("invitation envoyée")
        ACCESS_INVITATION_CANCELLED = "access.invitation_cancelled", _("invitation annulée")
        ACCESS_GRANTED = "access.granted", _("accès ouvert")
        ACCESS_REMOVED = "access.removed", _("accès retiré")
        PLEDGE_ATTACHED = "pledge.attached", _("promesse rattachée à un membre")
        PLEDGE_UPDATED = "pledge.updated", _("promesse modifiée")
        PLEDGE_RENEWED = "pledge.renewed", _("renouvellement")
        RENEWAL_CAMPAIGN_CHANGED = (
            "renewal.campaign_changed",
            _("calendrier des relances de renouvellement modifié"),
        )
        RENEWAL_CAMPAIGN_PAUSED = "renewal.campaign_paused", _("relances suspendues")
        RENEWAL_CAMPAIGN_RESUMED = "renewal.campaign_resumed", _("relances reprises")
        SCALE_COPIED = "scale.copied", _("barème recopié pour une nouvelle année")
        REMINDERS_UNSUBSCRIBED = "member.reminders_unsubscribed", _("désabonné des relances")
        PAYMENT_RECORDED = "payment.recorded", _("saisi")
        PAYMENT_DUPLICATE_CONFIRMED = (
            "payment.duplicate_confirmed",
            _("chèque semblable à un autre, confirmé différent"),
        )
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
        RECEIPT_ORIGINAL_DAMAGED = (
            "receipt.original_damaged",
            _("original du reçu introuvable ou altéré : duplicata servi"),
        )
        COLLECTIVE_FISCAL_CHANGED = (
            "collective.fiscal_changed",
            _("identité fiscale du collectif modifiée"),
        )
        DECLARATION_RECORDED = (
            "declaration.recorded",
            _("déclaration annuelle des dons (CGI art. 222 bis) enregistrée"),
        )
        EXPORT_MEMBERS = "export.members", _("export des membres (CSV)")
        EXPORT_PAYMENTS = "export.payments", _("export des paiements (CSV)")
        EXPORT_PLEDGES = "export.pledges", _("export des promesses (CSV)")
        EXPORT_JOURNAL = "export.journal", _("export du journal comptable (CSV)")
        EXPORT_RECEIPTS = "export.receipts", _("export du registre des reçus (CSV)")
        ACCOUNTING_CHANGED = "accounting.changed", _("comptes du journal comptable modifiés")
        IMPORT_DONE = "import.done", _("import de membres effectué")
        MEMBER_IMPORTED = "member.imported", _("membre repris d'un fichier")
        PAYMENT_IMPORTED = "payment.imported", _("paiement repris d'un fichier")
        MEMBER_VIEWED = "member.viewed", _("fiche consultée par l'équipe")
        MEMBER_DATA_EXPORTED = (
            "member.data_exported",
            _("données personnelles téléchargées (JSON et reçus, ZIP)"),
        )
        MEMBER_CLOSED = "member.closed", _("compte fermé, données personnelles effacées")
        MEMBER_RETENTION_WARNED = (
            "member.retention_warned",
            _("prévenu de l'effacement prochain de ses données"),
        )
        MEMBER_ANONYMISED = (
            "member.anonymised",
            _("données personnelles effacées (durée de conservation échue)"),
        )
        RETENTION_APPLIED = "retention.applied", _("durées de conservation appliquées")

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
