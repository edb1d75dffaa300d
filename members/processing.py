"""The record of processing activities (GDPR art. 30) the administrator keeps: each processing
the portal does, its purpose, legal basis, categories of data and of people, recipients and
retention. The retention periods are read from the settings the retention task applies
(`members.retention`), so the record cannot say one period while the code applies another.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class Processing:
    name: str
    purpose: str
    legal_basis: str
    data: str
    people: str
    recipients: str
    retention: str


def _years(count):
    return ngettext("%(count)d an", "%(count)d ans", count) % {"count": count}


def _days(count):
    return ngettext("%(count)d jour", "%(count)d jours", count) % {"count": count}


def _membership():
    return Processing(
        name=_("Adhésions et soutiens"),
        purpose=_(
            "Tenir la fiche des membres, enregistrer les formulaires d'adhésion et de soutien "
            "(promesses), ouvrir l'espace membre, envoyer les confirmations et les rappels de "
            "renouvellement."
        ),
        legal_basis=_("Exécution de l'adhésion (RGPD art. 6.1.b)."),
        data=_(
            "Identité (nom, prénom ou nom et sigle de la structure), coordonnées (adresse, "
            "téléphones, e-mail, site internet), activité et fonction ; pour une structure : "
            "correspondants, budget annuel, effectifs ; versions de la charte et de la "
            "politique acceptées ; comptes de connexion (e-mail, mot de passe chiffré)."
        ),
        people=_("Membres personnes physiques ; représentants et correspondants des structures."),
        recipients=_("Secrétariat et trésorier du Collectif ; administrateur du portail."),
        retention=_(
            "Tant que la personne est membre, puis %(years)s après son dernier paiement ou "
            "engagement ; prévenue par e-mail %(days)s avant l'effacement. Effacement immédiat "
            "à la fermeture du compte."
        )
        % {
            "years": _years(settings.RETENTION_CONTACT_YEARS),
            "days": _days(settings.RETENTION_NOTICE_DAYS),
        },
    )


def _payments():
    return Processing(
        name=_("Paiements et comptabilité"),
        purpose=_(
            "Enregistrer les chèques, virements et espèces reçus, les remettre en banque, "
            "rapprocher les relevés bancaires, tenir le journal comptable."
        ),
        legal_basis=_("Obligation légale comptable (RGPD art. 6.1.c ; code de commerce L123-22)."),
        data=_(
            "Montant, date, mode, numéro et banque du chèque, nom du tireur ; pour un virement "
            "le nom et l'IBAN du donneur d'ordre et le libellé du relevé."
        ),
        people=_("Membres et personnes qui paient pour eux."),
        recipients=_("Secrétariat, trésorier, expert-comptable (export), banque du Collectif."),
        retention=_(
            "%(years)s après la fin de l'année du paiement ; ensuite le tireur, le nom et l'IBAN "
            "du donneur d'ordre et le libellé sont effacés, montants, dates et numéros gardés."
        )
        % {"years": _years(settings.RETENTION_PAYMENT_YEARS)},
    )


def _receipts():
    return Processing(
        name=_("Reçus et reçus fiscaux"),
        purpose=_(
            "Émettre les reçus de cotisation et les reçus fiscaux (CGI art. 200 et 238 bis), les "
            "envoyer, tenir leur registre et la déclaration annuelle des dons (CGI art. 222 bis)."
        ),
        legal_basis=_("Obligation légale fiscale (RGPD art. 6.1.c ; LPF art. L102 E)."),
        data=_(
            "Nom, adresse et e-mail du donateur, SIREN et forme juridique d'une entreprise, "
            "montants, dates et modes des versements, numéro du reçu."
        ),
        people=_("Donateurs et membres."),
        recipients=_(
            "Le donateur ; secrétariat et trésorier ; administration fiscale sur sa demande."
        ),
        retention=_(
            "%(years)s après la fin de l'année d'émission, même après la fermeture du compte ; "
            "ensuite les champs du donateur et le PDF sont effacés, numéro, dates et montants "
            "gardés pour le registre."
        )
        % {"years": _years(settings.RETENTION_RECEIPT_YEARS)},
    )


def _directory():
    return Processing(
        name=_("Annuaire public des structures membres"),
        purpose=_("Faire connaître les structures membres qui l'ont demandé."),
        legal_basis=_("Consentement de la structure (RGPD art. 6.1.a), retirable à tout moment."),
        data=_("Nom, sigle, description en une ligne, ville, site internet."),
        people=_("Structures membres ayant coché la case."),
        recipients=_("Tout visiteur du portail."),
        retention=_("Jusqu'au retrait du consentement ou à la fermeture du compte."),
    )


def _audit():
    return Processing(
        name=_("Journal des consultations et modifications"),
        purpose=_(
            "Savoir qui a lu, changé ou exporté quelles données (sécurité, preuve, droit "
            "d'accès des membres)."
        ),
        legal_basis=_("Intérêt légitime et obligation de sécurité (RGPD art. 6.1.f et 32)."),
        data=_(
            "Auteur, date, action, objet concerné, valeurs avant et après ; filtre et nombre de "
            "lignes des exports."
        ),
        people=_("Membres ; équipe du Collectif."),
        recipients=_("Secrétariat et trésorier ; le membre pour ce qui le concerne."),
        retention=_(
            "Tant que la fiche existe ; les valeurs anciennes sont effacées avec les données du "
            "membre (fermeture ou fin de conservation)."
        ),
    )


def record():
    """The processings, in the order the record lists them."""
    return [_membership(), _payments(), _receipts(), _directory(), _audit()]
