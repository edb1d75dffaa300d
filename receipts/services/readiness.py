"""What must be known before a fiscal receipt is issued: one place computes each list, and the
treasury page, the services and the commands all read it from here.

A missing item names the field of /tresorerie/parametres-fiscaux/ where the treasurer fixes it
(`field`; "" for what only an administrator edits, in /admin/).
"""

import dataclasses

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from charter import fiscal
from dues.models import Payment
from members.validators import normalize_rna, normalize_siren

ARTICLES = {"200": fiscal.INDIVIDUALS, "238 bis": fiscal.COMPANIES}


class ReceiptError(ValidationError):
    """A receipt cannot be issued as asked (the collective's fiscal identity is incomplete, a
    company's SIREN is wrong...): a refusal to show, not a bug."""


@dataclasses.dataclass(frozen=True)
class Missing:
    field: str
    message: str


def _registration(collective):
    if not (collective.rna or collective.siren):
        return [Missing("rna", _("Le numéro RNA ou SIREN du collectif manque."))]
    missing = []
    for field, value, check in (
        ("rna", collective.rna, normalize_rna),
        ("siren", collective.siren, normalize_siren),
    ):
        try:
            check(value)
        except ValidationError as error:
            missing.append(Missing(field, f"« {value} » : {error.messages[0]}"))
    return missing


def _quality(collective, form):
    quality = collective.quality
    if quality is None:
        return [Missing("legal_quality", _("La qualité du collectif n'est pas choisie."))]
    if quality.wording(form) is None:
        return [
            Missing(
                "legal_quality",
                _("La qualité choisie ne figure pas sur le modèle CERFA %(form)s.")
                % {"form": form},
            )
        ]
    return [
        Missing(field, message)
        for field, message in fiscal.gaps(quality, **collective.quality_blanks()).items()
    ]


def _article(collective, article):
    chosen = collective.article_200 if article == "200" else collective.article_238_bis
    if chosen:
        return []
    field = "article_200" if article == "200" else "article_238_bis"
    return [
        Missing(
            field,
            _(
                "Les dons ne sont pas déclarés ouvrir droit à la réduction d'impôt de l'article "
                "%(a)s du CGI."
            )
            % {"a": article},
        )
    ]


def _signature_file_exists(name):
    try:
        return bool(name) and default_storage.exists(name)
    except OSError:
        return False


def _signatory(collective):
    missing = []
    if not collective.signatory_name.strip():
        missing.append(Missing("signatory_name", _("Le nom du signataire des reçus manque.")))
    if not collective.signatory_title.strip():
        missing.append(Missing("signatory_title", _("La fonction du signataire manque.")))
    if not _signature_file_exists(collective.signature.name if collective.signature else ""):
        missing.append(Missing("signature", _("L'image de la signature manque.")))
    return missing


def fiscal_missing(collective, *, article):
    """What keeps the collective from issuing a fiscal receipt under CGI `article` ("200" for
    individuals' summaries, "238 bis" for companies): [] when nothing does."""
    if collective is None:
        return [Missing("", _("L'identité du collectif n'est pas renseignée (administrateur)."))]
    missing = []
    if not (collective.name.strip() and collective.street.strip() and collective.city.strip()):
        missing.append(
            Missing("", _("Le nom ou l'adresse du collectif manque (administrateur, /admin/)."))
        )
    missing += _registration(collective)
    if not collective.object.strip():
        missing.append(Missing("object", _("L'objet du collectif manque.")))
    missing += _quality(collective, ARTICLES[article])
    missing += _article(collective, article)
    missing += _signatory(collective)
    return missing


def require_fiscal_ready(collective, *, article):
    """Refuse (ReceiptError, a ValidationError listing every missing item) unless
    `fiscal_missing` is empty."""
    missing = fiscal_missing(collective, article=article)
    if missing:
        raise ReceiptError([item.message for item in missing], code="not_ready")


def company_missing(member):
    """Why a company member cannot have its fiscal receipt (CERFA 16216) yet: [] when it can."""
    missing = []
    try:
        siren = normalize_siren(member.siren)
    except ValidationError as error:
        missing.append(
            _("Le SIREN « %(siren)s » de %(name)s n'est pas valide : %(why)s")
            % {"siren": member.siren, "name": member.display_name, "why": error.messages[0]}
        )
    else:
        if not siren:
            missing.append(_("Le SIREN de %(name)s manque.") % {"name": member.display_name})
    if not member.legal_form.strip():
        missing.append(_("La forme juridique de %(name)s manque.") % {"name": member.display_name})
    return missing


def companies_waiting(limit=50):
    """(payment, reasons) for the companies' received payments whose fiscal receipt waits for
    the company's own details (SIREN, legal form): what the treasury page lists."""
    payments = (
        Payment.objects.valid()
        .filter(member__is_company=True, receipt_lines__isnull=True)
        .select_related("member")
        .order_by("received_on", "pk")
    )
    waiting = []
    # Not .iterator(): on PostgreSQL its server-side cursor is planned for the first rows and
    # walked every payment by date (0.4 s at 60 000 payments) to find the few of companies.
    for payment in payments:
        reasons = company_missing(payment.member)
        if reasons:
            waiting.append((payment, reasons))
            if len(waiting) == limit:
                break
    return waiting
