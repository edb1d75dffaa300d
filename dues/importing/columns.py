"""Which field each column of a spreadsheet fills, guessed from its French header ("Nom",
"Prénom", "Structure", "Code postal", "Courriel"…) whatever its accents, case and
punctuation, and adjustable by the person on the preview page."""

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

# Every field a column may fill, in the order the mapping's menus list them.
TARGETS = {
    "reference": _("Référence du membre (CAC-…)"),
    "kind": _("Type (personne physique ou morale)"),
    "last_name": _("Nom"),
    "first_name": _("Prénom"),
    "name": _("Structure (nom de l'organisation)"),
    "acronym": _("Sigle"),
    "activity": _("Association / activité"),
    "function": _("Fonction"),
    "email": _("E-mail"),
    "phone": _("Téléphone"),
    "phone_professional": _("Tél. professionnel"),
    "phone_home": _("Tél. domicile"),
    "phone_mobile": _("Mobile"),
    "website": _("Site internet"),
    "street": _("Adresse"),
    "postal_code": _("Code postal"),
    "city": _("Ville"),
    "country": _("Pays"),
    "annual_budget": _("Budget annuel"),
    "payment_year": _("Paiement : année de cotisation"),
    "payment_date": _("Paiement : date de réception"),
    "payment_amount": _("Paiement : montant"),
    "payment_method": _("Paiement : mode (chèque, virement, espèces)"),
}
PAYMENT_TARGETS = ("payment_year", "payment_date", "payment_amount", "payment_method")

SYNONYMS = {
    "reference": ["reference", "ref", "reference membre", "n adherent", "numero adherent",
                  "numero d adherent", "code adherent", "identifiant"],
    "kind": ["type", "type de membre", "categorie", "nature", "personne", "statut"],
    "last_name": ["nom", "nom de famille", "nom d usage"],
    "first_name": ["prenom", "prenoms"],
    "name": ["structure", "nom de la structure", "organisation", "organisme", "raison sociale",
             "nom de l organisation", "denomination", "nom structure"],
    "acronym": ["sigle", "acronyme"],
    "activity": ["association activite", "association activites", "activite", "activites"],
    "function": ["fonction", "qualite", "role"],
    "email": ["courriel", "e mail", "email", "mail", "adresse e mail", "adresse email",
              "adresse electronique", "adresse mail", "mel"],
    "phone": ["telephone", "tel", "telephone fixe", "tel fixe"],
    "phone_professional": ["telephone professionnel", "tel professionnel", "tel pro",
                           "telephone pro"],
    "phone_home": ["telephone domicile", "tel domicile", "tel perso", "telephone personnel"],
    "phone_mobile": ["mobile", "portable", "telephone mobile", "telephone portable",
                     "tel mobile", "tel portable", "gsm"],
    "website": ["site", "site internet", "site web", "web", "url"],
    "street": ["adresse", "rue", "adresse postale", "voie"],
    "postal_code": ["code postal", "cp"],
    "city": ["ville", "commune", "localite"],
    "country": ["pays"],
    "annual_budget": ["budget", "budget annuel"],
    "payment_year": ["annee", "annee de cotisation", "exercice", "cotisation annee"],
    "payment_date": ["date", "date de paiement", "date du paiement", "date de versement",
                     "date du versement", "date de reception", "recu le", "date du reglement",
                     "date reglement"],
    "payment_amount": ["montant", "montant verse", "somme", "montant paye", "cotisation",
                       "montant de la cotisation", "montant eur", "montant euros"],
    "payment_method": ["mode", "mode de paiement", "moyen de paiement", "mode de reglement",
                       "reglement", "paiement"],
}  # fmt: skip


def normalise(text):
    """ "Code Postal", "code_postal", "CODE-POSTAL" → "code postal"; accents dropped."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", " ", plain.casefold()).strip()


_BY_HEADER = {
    normalise(synonym): target for target, synonyms in SYNONYMS.items() for synonym in synonyms
}


def guess_mapping(headers):
    """The target of each column ("" for none), each target taken by its first column only."""
    mapping, taken = [], set()
    for header in headers:
        target = _BY_HEADER.get(normalise(header), "")
        if target in taken:
            target = ""
        taken.add(target)
        mapping.append(target)
    return mapping


def clean_mapping(values, width):
    """A mapping sent back by the preview page: known targets only, each at most once, one
    per column; anything else is "" (the column is left out)."""
    mapping, taken = [], set()
    for value in list(values)[:width] + [""] * (width - len(values)):
        value = value if value in TARGETS and value not in taken else ""
        taken.add(value)
        mapping.append(value)
    return mapping
