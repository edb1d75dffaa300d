"""The beneficiary's quality as the official receipt forms word it.

The two models list their boxes in their own words: CERFA 11580*05 (form 2041-RD, gifts of
individuals, CGI art. 200 and 978) and CERFA 16216*03 (form 2041-MEC-SD, gifts of companies,
CGI art. 238 bis). Their first box, "Œuvre ou organisme d'intérêt général…", is made precise
by one of the cases listed under it. The collective picks one quality; each form ticks it, in
its own wording, if the form has it. The wording is the form's and stays French.

Placeholders in a wording are filled from the collective's fields (`fill`): `{decree_on}`,
`{published_on}` and `{order_on}` for a recognised public utility, `{approved_on}` for an
approval, `{other}` for "Autres (précisez)".
"""

import dataclasses

from django.utils.translation import gettext as _

GENERAL_INTEREST_INDIVIDUALS = (
    "Œuvre ou organisme d'intérêt général ayant un caractère philanthropique, éducatif, "
    "scientifique, social, humanitaire, sportif, familial, culturel ou concourant à la mise en "
    "valeur du patrimoine artistique, à la défense de l'environnement naturel ou à la diffusion "
    "de la culture, de la langue et des connaissances scientifiques françaises :"
)
GENERAL_INTEREST_COMPANIES = (
    "Œuvre ou organisme d'intérêt général ayant un caractère philanthropique, éducatif, "
    "scientifique, social, humanitaire, sportif, familial, culturel ou concourant à l'égalité "
    "entre les femmes et les hommes, à la mise en valeur du patrimoine artistique, à la défense "
    "de l'environnement naturel ou à la diffusion de la culture, de la langue et des "
    "connaissances scientifiques françaises. Précisez si vous êtes :"
)

RUP = (
    "Association ou fondation reconnue d'utilité publique par décret en date du {decree_on} "
    "publié au Journal officiel du {published_on} ou association située dans le département de "
    "la Moselle, du Bas-Rhin ou du Haut-Rhin dont la mission a été reconnue d'utilité publique "
    "par arrêté en date du {order_on}"
)
HIGHER_EDUCATION = (
    "Établissement d'enseignement supérieur ou d'enseignement artistique public ou privé, "
    "d'intérêt général, à but non lucratif"
)
PERFORMING_ARTS = (
    "Organisme public ou privé dont la gestion est désintéressée et qui a pour activité "
    "principale la présentation au public d'œuvres dramatiques, lyriques, musicales, "
    "chorégraphiques, cinématographiques, audiovisuelles et de cirque ou l'organisation "
    "d'expositions d'art contemporain"
)
EU_ORGANISM = (
    "Organisme établi dans un État membre de l'Union européenne autre que la France (ou en "
    "Norvège, Islande ou Liechtenstein) poursuivant des objectifs et présentant des "
    "caractéristiques similaires aux organismes précités. Le cas échéant, date de l'agrément : "
    "{approved_on}"
)


@dataclasses.dataclass(frozen=True)
class Quality:
    code: str
    individuals: str | None  # its box on CERFA 11580*05, None when that form has none
    companies: str | None  # its box on CERFA 16216*03
    general_interest: bool = False  # a case of the first box, "Œuvre ou organisme…"
    needs: tuple = ()  # what the wording leaves blank: "decree", "approval", "other"

    def wording(self, form):
        return self.individuals if form == INDIVIDUALS else self.companies


INDIVIDUALS, COMPANIES = "11580", "16216"

QUALITIES = [
    Quality("oig_association", "Association loi 1901", "Association loi 1901", True),
    Quality("oig_rup", RUP, RUP, True, ("decree",)),
    Quality(
        "oig_university_foundation",
        "Fondation universitaire ou fondation partenariale mentionnées respectivement aux "
        "articles L. 719-12 et L. 719-13 du code de l'éducation",
        "Fondation universitaire ou fondation partenariale mentionnées respectivement aux "
        "articles L. 719-12 et L. 719-13 du code de l'éducation",
        True,
    ),
    Quality("oig_company_foundation", "Fondation d'entreprise", "Fondation d'entreprise", True),
    Quality("oig_museum", "Musée de France", "Musée de France", True),
    Quality(
        "oig_food_aid",
        "Organisme sans but lucratif fournissant gratuitement une aide alimentaire ou des soins "
        "médicaux à des personnes en difficultés ou favorisant leur logement",
        "Organismes sans but lucratif fournissant gratuitement une aide alimentaire, des soins "
        "médicaux ou des produits de première nécessité à des personnes en difficulté ou "
        "favorisant leur logement",
        True,
    ),
    Quality(
        "oig_forest",
        "Communes, syndicats intercommunaux ou mixtes de gestion forestière, groupements "
        "syndicaux forestiers visés au f ter du 1 de l'article 200 du CGI",
        None,
        True,
    ),
    Quality(
        "oig_other", "Autres (précisez) : {other}", "Autres (précisez) : {other}", True, ("other",)
    ),
    Quality(
        "alsace_moselle_worship",
        "Association cultuelle et établissement public reconnus d'Alsace-Moselle",
        "Association cultuelle ou établissement public des cultes reconnus d'Alsace-Moselle",
    ),
    Quality("endowment_fund", "Fonds de dotation", "Fonds de dotation"),
    Quality(
        "press_pluralism",
        "Association d'intérêt général exerçant des actions concrètes en faveur du pluralisme de "
        "la presse, par la prise de participations minoritaires, l'octroi de subventions ou "
        "encore de prêts bonifiés à des entreprises de presse",
        None,
    ),
    Quality("higher_education", HIGHER_EDUCATION, HIGHER_EDUCATION),
    Quality(
        "consular_school",
        "Établissement d'enseignement supérieur consulaire prévu à l'article L. 711-17 du code "
        "de commerce",
        "Établissement d'enseignement supérieur consulaire mentionné à l'article L. 711-17 du "
        "code de commerce",
    ),
    Quality(
        "sme_support",
        "Organisme agréé ayant pour objectif exclusif d'accorder des aides financières ou de "
        "fournir des prestations d'accompagnement à des petites et moyennes entreprises",
        "Organisme agréé ayant pour objet exclusif d'accorder des aides financières ou de "
        "fournir des prestations d'accompagnement à des petites et moyennes entreprises (4 de "
        "l'article 238 bis du CGI). Date de l'agrément : {approved_on}",
        needs=("approval",),
    ),
    Quality(
        "sme_support_federation",
        None,
        "Fédération ou union d'organismes ayant pour objet exclusif de fédérer, d'organiser, de "
        "représenter et de promouvoir les organismes agréés en application du 4 de l'article "
        "238 bis du code général des impôts. Date de l'agrément : {approved_on}",
        needs=("approval",),
    ),
    Quality(
        "approved_research",
        None,
        "Société ou organisme public ou privé agréé par le ministre chargé du budget en vertu "
        "de l'article 4 de l'ordonnance n° 58-882 du 25 septembre 1958 relative à la fiscalité "
        "en matière de recherche scientifique et technique. Date de l'agrément : {approved_on}",
        needs=("approval",),
    ),
    Quality("performing_arts", PERFORMING_ARTS, PERFORMING_ARTS),
    Quality(
        "doctoral_thesis",
        None,
        "Projet de thèse proposé au mécénat de doctorat par une école doctorale",
    ),
    Quality(
        "world_expo",
        None,
        "Société, dont l'État est l'actionnaire unique, qui a pour activité la représentation "
        "de la France aux expositions universelles",
    ),
    Quality(
        "public_broadcaster",
        None,
        "Société nationale de programme mentionnée à l'article 44 de la loi n° 86-1067 du 30 "
        "septembre 1986 relative à la liberté de communication et affectés au financement de "
        "programmes audiovisuels culturels",
    ),
    Quality(
        "public_broadcaster_music",
        None,
        "Société nationale de programme mentionnée au III de l'article 44 de la loi n° 86-1067 "
        "du 30 septembre 1986 relative à la liberté de communication et affectés au "
        "financement des activités des formations musicales dont elle assure la gestion et le "
        "développement",
    ),
    Quality(
        "heritage_foundation",
        "Fondation du patrimoine ou fondation ou association reconnue d'utilité publique qui "
        "subventionnent des travaux sur des monuments historiques dans le cadre de conventions "
        "prévues à l'article L. 143-2-1 et L. 143-15 du code du patrimoine. Le cas échéant, date "
        "de l'agrément par le ministre chargé du budget : {approved_on}",
        "Fondation du patrimoine ou fondation ou association reconnue d'utilité publique qui "
        "subventionnent des travaux sur des monuments historiques dans le cadre des conventions "
        "prévues à l'article L. 143-2-1 et L. 143-15 du code du patrimoine. Le cas échéant, date "
        "de l'agrément : {approved_on}",
    ),
    Quality(
        "cultural_property",
        "Organisme ayant pour objet la sauvegarde, contre les effets d'un conflit armé, des "
        "biens culturels mentionnés à l'article 1er de la Convention du 14 mai 1954 pour la "
        "protection des biens culturels en cas de conflit armé",
        "Organismes ayant pour objet la sauvegarde, contre les effets d'un conflit armé, des "
        "biens culturels mentionnés à l'article 1er de la Convention du 14 mai 1954 pour la "
        "protection des biens culturels en cas de conflit armé (5 de l'article 238 bis du CGI)",
    ),
    Quality(
        "research",
        "Établissement de recherche public ou privé, d'intérêt général, à but non lucratif",
        None,
    ),
    Quality(
        "insertion_company",
        "Entreprise d'insertion ou entreprise de travail temporaire d'insertion (articles "
        "L. 5132-5 et L. 5132-6 du code du travail)",
        None,
    ),
    Quality(
        "intermediate_association",
        "Association intermédiaire (article L. 5132-7 du code du travail)",
        None,
    ),
    Quality(
        "insertion_workshop",
        "Ateliers et chantiers d'insertion (article L. 5132-15 du code du travail)",
        None,
    ),
    Quality(
        "adapted_company",
        "Entreprises adaptées (article L. 5213-13 du code du travail)",
        None,
    ),
    Quality("anr", "Agence nationale de la recherche (ANR)", None),
    Quality(
        "geiq",
        "Groupement d'employeurs pour l'insertion et la qualification mentionné à l'article "
        "L. 1253-1 du code du travail",
        None,
    ),
    Quality(
        "business_creation",
        "Association reconnue d'utilité publique de financement et d'accompagnement de la "
        "création et de la reprise d'entreprises",
        None,
    ),
    Quality("eu_organism", EU_ORGANISM, EU_ORGANISM),
]
BY_CODE = {quality.code: quality for quality in QUALITIES}
DEFAULT_QUALITY = "oig_association"
BLANK = "……"


def choices():
    """(code, wording) for a choice list: the individuals' wording where that form has one."""
    return [
        (quality.code, (quality.individuals or quality.companies).format_map(_Blanks()))
        for quality in QUALITIES
    ]


class _Blanks(dict):
    def __missing__(self, key):
        return BLANK


def _french(day):
    return day.strftime("%d/%m/%Y") if day else BLANK


def fill(
    quality, form, *, decree_on=None, published_on=None, order_on=None, approved_on=None, other=""
):
    """The quality's wording on `form` with its blanks filled, or None if the form lacks it."""
    wording = quality.wording(form)
    if wording is None:
        return None
    return wording.format(
        decree_on=_french(decree_on),
        published_on=_french(published_on),
        order_on=_french(order_on),
        approved_on=_french(approved_on),
        other=other or BLANK,
    )


def boxes(form, ticked_code, ticked_wording):
    """The form's quality boxes in its order, as two lists of (wording, ticked): the first box
    ("Œuvre ou organisme…") followed by its cases, then the other organisms."""
    heading = GENERAL_INTEREST_INDIVIDUALS if form == INDIVIDUALS else GENERAL_INTEREST_COMPANIES
    ticked = BY_CODE.get(ticked_code)
    general = [(heading, bool(ticked and ticked.general_interest))]
    others = []
    for quality in QUALITIES:
        if quality.wording(form) is None:
            continue
        is_it = quality.code == ticked_code
        wording = ticked_wording if is_it else quality.wording(form).format_map(_Blanks())
        (general if quality.general_interest else others).append((wording, is_it))
    return general, others


def gaps(quality, *, decree_on=None, published_on=None, order_on=None, approved_on=None, other=""):
    """{field: message} for the blanks `quality`'s wording needs filled; {} when none."""
    found = {}
    if "decree" in quality.needs and not ((decree_on and published_on) or order_on):
        found["quality_decree_on"] = _(
            "Indiquez la date du décret de reconnaissance d'utilité publique et celle de sa "
            "publication au Journal officiel (ou, en Alsace-Moselle, celle de l'arrêté)."
        )
    if "approval" in quality.needs and not approved_on:
        found["quality_approved_on"] = _("Indiquez la date de l'agrément.")
    if "other" in quality.needs and not (other or "").strip():
        found["quality_other"] = _("Précisez la qualité « Autres ».")
    return found
