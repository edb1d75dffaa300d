"""Fixtures of the receipts tests: donors with payments, and the PDF read back as text."""

import datetime
import io
import itertools
from decimal import Decimal

import pytest

from dues.models import PaymentMethod
from tests.factories import IndividualFactory, OrganisationFactory, PaymentFactory

LAST_YEAR = datetime.date.today().year - 1


def pdf_text(data):
    """The text of a PDF as pypdf reads it, whitespace folded to single spaces."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture
def organisation(cac):
    return OrganisationFactory(name="Les Amis du Canal", acronym="LAC", email="lac@example.org")


@pytest.fixture
def company(cac):
    return OrganisationFactory(
        name="Coopérative Solidaire",
        acronym="",
        email="coop@example.org",
        is_liable_to_corporate_tax=True,
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


_cheques = itertools.count(5000000)


def pay(member, amount="50.00", year=LAST_YEAR, on=None, method=PaymentMethod.CHEQUE):
    """A received payment row (no signal): the tests call the receipt services themselves."""
    return PaymentFactory(
        member=member,
        amount=Decimal(amount),
        year=year,
        received_on=on or datetime.date(year, 6, 15),
        method=method,
        cheque_number=str(next(_cheques)) if method == PaymentMethod.CHEQUE else "",
        bank="Crédit Coopératif" if method == PaymentMethod.CHEQUE else "",
    )
