"""Who the collective is: its identity, the versions of its charter and privacy notice, and who
subscribed to which. Nothing here is hard-wired to the CAC: `load_cac_defaults` fills it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter import fiscal
from members.validators import validate_rna, validate_siren

# No association under the 1901 law predates it: the floor of any collective's first year.
FIRST_POSSIBLE_YEAR = 1901


class Collective(models.Model):
    """The one row describing the collective that issues receipts and receives cheques."""

    name = models.CharField(_("nom"), max_length=200)
    acronym = models.CharField(_("sigle"), max_length=30, blank=True)
    street = models.CharField(_("adresse"), max_length=200)
    postal_code = models.CharField(_("code postal"), max_length=10)
    city = models.CharField(_("ville"), max_length=100)
    country = models.CharField(_("pays"), max_length=60, default="France")
    object = models.TextField(
        _("objet"), help_text=_("L'objet de l'association, tel qu'il figure sur les reçus fiscaux.")
    )
    legal_quality = models.CharField(
        _("qualité de l'organisme bénéficiaire"),
        max_length=40,
        choices=fiscal.choices(),
        default=fiscal.DEFAULT_QUALITY,
        help_text=_("La case cochée sur les reçus fiscaux, dans les mots du formulaire officiel."),
    )
    quality_decree_on = models.DateField(
        _("reconnaissance d'utilité publique : date du décret"), null=True, blank=True
    )
    quality_published_on = models.DateField(
        _("reconnaissance d'utilité publique : date du Journal officiel"), null=True, blank=True
    )
    quality_order_on = models.DateField(
        _("Alsace-Moselle : date de l'arrêté reconnaissant la mission d'utilité publique"),
        null=True,
        blank=True,
    )
    quality_approved_on = models.DateField(_("date de l'agrément"), null=True, blank=True)
    quality_other = models.CharField(_("autre qualité (précisez)"), max_length=200, blank=True)
    rna = models.CharField(_("numéro RNA"), max_length=20, blank=True, validators=[validate_rna])
    siren = models.CharField(
        _("numéro SIREN"), max_length=9, blank=True, validators=[validate_siren]
    )
    article_200 = models.BooleanField(
        _("les dons des particuliers ouvrent droit à la réduction d'impôt de l'article 200 du CGI"),
        default=True,
    )
    article_238_bis = models.BooleanField(
        _(
            "les dons des entreprises ouvrent droit à la réduction d'impôt de l'article 238 bis "
            "du CGI"
        ),
        default=True,
    )
    rescrit_reference = models.CharField(
        _("rescrit fiscal : référence"), max_length=100, blank=True
    )
    rescrit_on = models.DateField(_("rescrit fiscal : date"), null=True, blank=True)
    website = models.URLField(_("site internet"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    introduction = models.TextField(_("présentation"), blank=True)
    signatory_name = models.CharField(_("nom du signataire des reçus"), max_length=200)
    signatory_title = models.CharField(_("fonction du signataire"), max_length=200)
    signature = models.ImageField(_("signature (image)"), upload_to="signature/", blank=True)
    signature_place = models.CharField(_("lieu de signature des reçus"), max_length=100, blank=True)
    cheque_payee = models.CharField(_("ordre des chèques"), max_length=200)
    cheque_payee_short = models.CharField(_("ordre abrégé des chèques"), max_length=30, blank=True)
    cheque_address = models.TextField(_("adresse d'envoi des chèques"))
    bank_account_holder = models.CharField(
        _("titulaire du compte bancaire"),
        max_length=200,
        blank=True,
        help_text=_(
            "Le nom exact sous lequel la banque a enregistré le compte : la banque de chaque "
            "payeur vérifie désormais que ce nom correspond à l'IBAN avant d'envoyer un virement."
        ),
    )
    bank_account_number = models.CharField(_("compte bancaire (IBAN)"), max_length=40, blank=True)
    bank_bic = models.CharField(_("BIC"), max_length=11, blank=True)
    founded_year = models.PositiveSmallIntegerField(
        _("première année du collectif"),
        validators=[MinValueValidator(FIRST_POSSIBLE_YEAR)],
        help_text=_(
            "Aucune cotisation ni aucun paiement ne peut dater d'avant le 1er janvier de "
            "cette année."
        ),
    )

    class Meta:
        verbose_name = _("collectif")
        verbose_name_plural = _("collectif")
        constraints = [
            models.CheckConstraint(
                condition=Q(legal_quality__in=list(fiscal.BY_CODE)),
                name="collective_quality_on_the_forms",
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def load(cls):
        """The collective's row, or None before `load_cac_defaults` ran."""
        return cls.objects.order_by("pk").first()

    @property
    def postal_address(self):
        return f"{self.street}\n{self.postal_code} {self.city}"

    @property
    def registration_number(self):
        """What identifies the beneficiary on a fiscal receipt: its RNA, else its SIREN."""
        if self.rna:
            return f"RNA {self.rna}"
        return f"SIREN {self.siren}" if self.siren else ""

    def clean(self):
        if self.quality is not None:
            found = fiscal.gaps(self.quality, **self.quality_blanks())
            if found:
                raise ValidationError(found)

    def quality_blanks(self):
        return {
            "decree_on": self.quality_decree_on,
            "published_on": self.quality_published_on,
            "order_on": self.quality_order_on,
            "approved_on": self.quality_approved_on,
            "other": self.quality_other,
        }

    @property
    def quality(self):
        return fiscal.BY_CODE.get(self.legal_quality)

    def quality_wording(self, form):
        """The collective's quality in the words of `form` (fiscal.INDIVIDUALS or COMPANIES),
        blanks filled; None if that form has no such box."""
        if self.quality is None:
            return None
        return fiscal.fill(self.quality, form, **self.quality_blanks())

    @property
    def payee_label(self):
        if self.cheque_payee_short:
            return _("« %(long)s » ou « %(short)s »") % {
                "long": self.cheque_payee,
                "short": self.cheque_payee_short,
            }
        return f"« {self.cheque_payee} »"


class VersionedTextQuerySet(models.QuerySet):
    def in_force(self, on=None):
        return self.filter(effective_on__lte=on or timezone.localdate())

    def current(self, on=None):
        return self.in_force(on).order_by("-effective_on", "-version").first()


class Charter(models.Model):
    version = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("titre"), max_length=200)
    preamble = models.TextField(_("introduction"))
    closing = models.TextField(_("conclusion"), blank=True)
    effective_on = models.DateField(_("en vigueur depuis le"))

    objects = VersionedTextQuerySet.as_manager()

    class Meta:
        verbose_name = _("charte")
        verbose_name_plural = _("chartes")
        ordering = ["-effective_on", "-version"]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    def get_absolute_url(self):
        return reverse("charter:version", args=[self.version])


class Principle(models.Model):
    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="principles")
    position = models.PositiveSmallIntegerField(_("rang"))
    heading = models.CharField(_("titre"), max_length=100)
    text = models.TextField(_("texte"))

    class Meta:
        verbose_name = _("principe")
        verbose_name_plural = _("principes")
        ordering = ["charter", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["charter", "position"], name="principle_position_unique"
            ),
        ]

    def __str__(self):
        return self.heading


class PrivacyNotice(models.Model):
    version = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"))
    effective_on = models.DateField(_("en vigueur depuis le"))

    objects = VersionedTextQuerySet.as_manager()

    class Meta:
        verbose_name = _("politique de confidentialité")
        verbose_name_plural = _("politiques de confidentialité")
        ordering = ["-effective_on", "-version"]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    def get_absolute_url(self):
        return reverse("charter:privacy")


class AcceptanceSource(models.TextChoices):
    ONLINE = "online", _("en ligne")
    PAPER = "paper", _("formulaire papier")


class BaseAcceptance(models.Model):
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE)
    accepted_at = models.DateTimeField(_("acceptée le"), default=timezone.now)
    source = models.CharField(_("source"), max_length=10, choices=AcceptanceSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enregistrée par"),
    )

    class Meta:
        abstract = True


class Acceptance(BaseAcceptance):
    """A member subscribed to a version of the charter ("je souscris à la charte de principes")."""

    charter = models.ForeignKey(Charter, on_delete=models.PROTECT, related_name="acceptances")

    class Meta:
        verbose_name = _("souscription à la charte")
        verbose_name_plural = _("souscriptions à la charte")
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["charter", "member"], name="acceptance_once_per_version"
            ),
        ]

    def __str__(self):
        return f"{self.member} – {self.charter}"


class PrivacyAcceptance(BaseAcceptance):
    notice = models.ForeignKey(PrivacyNotice, on_delete=models.PROTECT, related_name="acceptances")

    class Meta:
        verbose_name = _("acceptation de la politique de confidentialité")
        verbose_name_plural = _("acceptations de la politique de confidentialité")
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "member"], name="privacy_acceptance_once_per_version"
            ),
        ]

    def __str__(self):
        return f"{self.member} – {self.notice}"
