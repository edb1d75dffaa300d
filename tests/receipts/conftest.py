"""Fixtures of the receipts tests: donors with payments, and the PDF read back as text."""

import pytest

from tests.factories import IndividualFactory, OrganisationFactory


@pytest.fixture
def organisation(cac):
    return OrganisationFactory(name="Les Amis du Canal", acronym="LAC", email="lac@example.org")


@pytest.fixture
def company(cac):
    return OrganisationFactory(
        name="Coopérative Solidaire",
        acronym="",
        email="coop@example.org",
        is_company=True,
        siren="552100554",
        legal_form="SCIC SA",
    )


@pytest.fixture
def donor(cac):
    return IndividualFactory(
        first_name="Lucie",
        last_name="Aubrac",
        email="lucie@example.org",
        street="5 rue des Écoles",
        postal_code="13001",
        city="Marseille",
    )
