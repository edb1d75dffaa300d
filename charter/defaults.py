"""The CAC's 2018 identity, charter and a first privacy notice: what a fresh install loads.

The charter is copied word for word from the 2018 brochure (the PDF's line breaks undone).
"""

import datetime

from django.db import transaction

from cac_portal import published
from charter.models import Charter, Collective, Principle, PrivacyNotice

COLLECTIVE = {
    "name": "Collectif des Associations Citoyennes",
    "acronym": "CAC",
    "street": "108 rue St-Maur",
    "postal_code": "75011",
    "city": "Paris",
    "country": "France",
    "object": (
        "Mener des recherches et des études sur les formes, les conditions et la diversité du "
        "mouvement associatif ; valoriser et faire connaître les actions et les pratiques des "
        "associations citoyennes ; apporter son appui aux requêtes collectives et aux propositions "
        "du milieu associatif vis à vis des autorités publiques."
    ),
    "legal_quality": "oig_association",
    "website": "https://www.associations-citoyennes.net",
    "introduction": (
        "Le Collectif des associations citoyennes (CAC) est né en 2010, d’une lutte originelle : "
        "le dépôt d’un recours en Conseil d’État contre la « Circulaire Fillon » qui tendait à "
        "réduire les associations à leur seule dimension économique et à les assimiler, de fait, "
        "à des entreprises lucratives classiques. Depuis ce combat inaugural, le Collectif "
        "développe une analyse montrant la contribution des associations à l’intérêt général et "
        "tente de comprendre les difficultés qu’elles rencontrent.\n\n"
        "Depuis 2010, le Collectif constitue un espace de travail ouvert, il propose des temps "
        "d’analyse et de réflexions collectives, des moments de travail commun et de soutien "
        "mutuel pour les initiatives citoyennes portées par des structures privées "
        "non-lucratives. Il réunit 7000 responsables associatifs, 1500 associations et 140 "
        "réseaux nationaux."
    ),
    "signatory_name": "Jean-Claude Boual",
    "signatory_title": "Président",
    "signature_place": "Paris",
    "cheque_payee": "Collectif des Associations Citoyennes",
    "cheque_payee_short": "CAC",
    "cheque_address": "CAC\n108 rue St-Maur\n75011 Paris",
    "bank_account_holder": "Collectif des Associations Citoyennes",
    # "Le Collectif des Associations Citoyennes (CAC) est né en 2010" (the brochure).
    "founded_year": 2010,
}

CHARTER_2018 = {
    "version": 1,
    "title": "Charte des associations citoyennes",
    "effective_on": datetime.date(2018, 1, 1),
    "preamble": (
        "Les associations citoyennes travaillent dans des domaines très divers à l’émergence "
        "d’une société solidaire, participative et durable. Elles constatent que, malgré cette "
        "diversité, les projets associatifs se fondent sur un petit nombre de principes d’action "
        "communs :"
    ),
    "closing": (
        "Cette Charte constitue le ciment de l’action commune car elle donne un contenu à la "
        "notion d’intérêt général et permet de préciser dans quel sens les membres du Collectif "
        "cherchent à promouvoir le bien commun. Elle s’oppose presque point par point à une "
        "vision réductrice de l’action associative, qui assimile les associations soit à des "
        "entreprises commerciales, soit à des services publics au rabais en les "
        "instrumentalisant. En ce sens le combat des associations rejoint le combat de "
        "tou-te-s celles et ceux qui luttent pour reconstruire une société à finalité humaine."
    ),
}

PRINCIPLES_2018 = [
    (
        "Respecter",
        "les Droits de l’Homme et la dignité humaine, lutter contre toutes les discriminations, "
        "en dépassant l’égalité formelle pour aller vers une égalité effective dans l’accès à "
        "l’éducation, aux services, à la santé, à la culture.",
    ),
    (
        "Assurer",
        "à tous une liberté effective dans leur vie personnelle et collective, par une "
        "émancipation vis-à-vis des conditionnements imposés par la société, notamment par les "
        "médias dominants et la publicité, à travers une démarche de laïcité synonyme "
        "d’ouverture à la diversité des pensées et des raisons d’agir.",
    ),
    (
        "Promouvoir",
        "des logiques de coopération et de mutualisation, et non de compétition et de "
        "concurrence, l’égalité et la liberté ne trouvant leur sens que dans un contexte de "
        "fraternité.",
    ),
    (
        "Considérer",
        "l’économie comme un moyen au service de la société et non comme une fin en soi, ce qui "
        "signifie que les activités marchandes ne sauraient être l’horizon bornant toute "
        "entreprise humaine.",
    ),
    (
        "Concevoir",
        "la solidarité non comme une assistance, mais comme une réciprocité et une "
        "co-responsabilité de chacun envers tous (des relations interpersonnelles à une "
        "solidarité mondiale).",
    ),
    (
        "Répondre",
        "aux besoins des hommes et des femmes d’aujourd’hui en matière de sécurité, de revenus, "
        "de services, d’habitat, d’éducation, d’expression culturelle.",
    ),
    (
        "Permettre",
        "à chacun de développer et d’épanouir ses potentialités, en particulier ses capacités de "
        "don, de partage, de non-violence et de créativité, et ce dès l’école dans une optique de "
        "développement personnel et de promotion collective, et non de compétition de tous "
        "contre tous.",
    ),
    (
        "Maintenir",
        "et améliorer partout dans le monde la démocratie et l’État de droit tout en favorisant "
        "une citoyenneté active et responsable.",
    ),
    (
        "Chercher",
        "une cohérence entre la parole, l’action et le sens donné par chacun à son existence, "
        "dans la diversité des options et des histoires personnelles, avec un équilibre entre "
        "identité et ouverture, entre culture propre et métissage.",
    ),
    (
        "Préserver",
        "la poursuite de l’aventure humaine, l’avenir de la planète et les biens communs de "
        "l’humanité nécessaires aux générations actuelles et futures, ce qui implique d’autres "
        "modes de vie et d’échange.",
    ),
]

PRIVACY_NOTICE_V1 = {
    "version": 1,
    "title": "Politique de confidentialité",
    "effective_on": datetime.date(2026, 1, 1),
    "body": """\
Qui traite vos données
Le Collectif des Associations Citoyennes (CAC), 108 rue St-Maur, 75011 Paris, responsable du traitement.

Ce que nous gardons
Votre identité (nom, prénom ou nom de la structure et son sigle), vos coordonnées (adresse, téléphones, e-mail, site internet), votre activité ou fonction, pour une structure ses correspondants et, si vous les donnez, son budget annuel et le nombre de structures et d'adhérents qu'elle regroupe ; vos adhésions et dons (montants, dates, modes de paiement, numéros de chèque), les reçus émis, et les versions de la charte et de la présente politique que vous avez acceptées, avec leur date.

Pourquoi
Gérer votre adhésion ou votre soutien, enregistrer vos paiements, établir les reçus (dont les reçus fiscaux prévus par les articles 200 et 238 bis du code général des impôts), vous informer de la vie du Collectif et, si vous l'avez demandé, faire figurer votre structure dans l'annuaire public. La base légale est l'exécution de votre adhésion et, pour les reçus et la comptabilité, nos obligations légales.

Combien de temps
Vos données de contact, tant que vous êtes membre puis trois ans après votre dernier paiement. Les reçus et les paiements qu'ils couvrent sont conservés six ans au moins (article L102 E du livre des procédures fiscales) et les pièces comptables dix ans (article L123-22 du code de commerce), même si vous fermez votre compte.

Qui les voit
Le secrétariat et le trésorier du Collectif, et l'administrateur du portail. Elles ne sont ni vendues ni cédées. Seules les structures qui l'ont demandé apparaissent dans l'annuaire public (nom, sigle, description, ville, site internet).

Vos droits
Vous pouvez consulter et corriger vos données depuis votre espace membre, les télécharger (format JSON) et demander la fermeture de votre compte : vos données sont alors effacées ou anonymisées, sauf ce que la loi nous oblige à garder (reçus et paiements couverts), ce qui vous est indiqué. Vous pouvez aussi vous opposer à un traitement ou en demander la limitation en écrivant au CAC, et saisir la CNIL (www.cnil.fr).
""",
}


# The second version says where the rights are exercised (the member space's pages) and every
# period the retention task applies; tests/personal_data/test_notice_and_code.py holds it to
# the code (its URLs resolve, its periods are the settings').
PRIVACY_NOTICE_V2 = {
    "version": 2,
    "title": "Politique de confidentialité",
    "effective_on": datetime.date(2026, 11, 22),
    "body": """\
Qui traite vos données
Le Collectif des Associations Citoyennes (CAC), 108 rue St-Maur, 75011 Paris, responsable du traitement.

Ce que nous gardons
Votre identité (nom, prénom ou nom de la structure et son sigle), vos coordonnées (adresse, téléphones, e-mail, site internet), votre activité ou fonction, pour une structure ses correspondants et, si vous les donnez, son budget annuel et le nombre de structures et d'adhérents qu'elle regroupe ; vos adhésions et dons (montants, dates, modes de paiement, numéros de chèque), les reçus émis, les e-mails que nous vous envoyons, et les versions de la charte et de la présente politique que vous avez acceptées, avec leur date.

Pourquoi
Gérer votre adhésion ou votre soutien, enregistrer vos paiements, établir les reçus (dont les reçus fiscaux prévus par les articles 200 et 238 bis du code général des impôts), vous informer de la vie du Collectif et, si vous l'avez demandé, faire figurer votre structure dans l'annuaire public. La base légale est l'exécution de votre adhésion et, pour les reçus et la comptabilité, nos obligations légales.

Combien de temps
Vos données de contact, tant que vous êtes membre puis 3 ans après votre dernier paiement ou votre dernier engagement ; nous vous prévenons par e-mail 30 jours avant de les effacer, et un renouvellement les garde. Les reçus et les paiements qu'ils couvrent sont conservés 6 ans après la fin de l'année de leur émission (article L102 E du livre des procédures fiscales) et les paiements, pièces comptables, 10 ans après la fin de leur année (article L123-22 du code de commerce), même si vous fermez votre compte ; passé ces durées, les noms, adresses et tireurs de chèques sont effacés et seuls restent les numéros, dates et montants. Ces effacements se font d'eux-mêmes, chaque nuit.

Qui les voit
Le secrétariat et le trésorier du Collectif, et l'administrateur du portail. Chaque consultation de votre fiche par l'équipe, chaque téléchargement de vos reçus par elle et chaque export est enregistré (qui, quand, quoi) ; cet historique figure dans vos données. Elles ne sont ni vendues ni cédées. Seules les structures qui l'ont demandé apparaissent dans l'annuaire public (nom, sigle, description, ville, site internet).

Vos droits
Vous pouvez consulter et corriger vos données depuis votre espace membre (/compte/coordonnees/), les télécharger en un fichier ZIP (vos données au format JSON et vos reçus en PDF, /compte/donnees/) et fermer votre compte (/compte/fermer/) : vos données sont alors effacées ou anonymisées, sauf ce que la loi nous oblige à garder (reçus et paiements couverts), ce qui vous est indiqué avant de confirmer. Sans compte, écrivez au CAC : le secrétariat le fait pour vous. Vous pouvez aussi vous opposer à un traitement ou en demander la limitation en écrivant au CAC, et saisir la CNIL (www.cnil.fr).
""",
}


@transaction.atomic
def load():
    """Create what is missing; never overwrite what an administrator has edited."""
    created = []
    if not Collective.objects.exists():
        Collective.objects.create(**COLLECTIVE)
        created.append("collective")
    if not Charter.objects.filter(version=CHARTER_2018["version"]).exists():
        charter = Charter.objects.create(**CHARTER_2018)
        Principle.objects.bulk_create(
            Principle(charter=charter, position=position, heading=heading, text=text)
            for position, (heading, text) in enumerate(PRINCIPLES_2018, start=1)
        )
        published.changed()  # bulk_create sends no signal
        created.append("charter 2018")
    for notice in (PRIVACY_NOTICE_V1, PRIVACY_NOTICE_V2):
        if not PrivacyNotice.objects.filter(version=notice["version"]).exists():
            PrivacyNotice.objects.create(**notice)
            created.append(f"privacy notice v{notice['version']}")
    return created
