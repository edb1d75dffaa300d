"""Fixtures of the desk's tests: logged-in clients for each kind of visitor, a payment, a slip."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from dues.models import BankLine, DepositSlip, KnownPayerAccount
from dues.services.imports import upload_import
from dues.services.slips import create_slip
from dues.services.statements import import_statement
from tests.factories import (
    DepositSlipFactory,
    IndividualFactory,
    OrganisationFactory,
    PaymentFactory,
    PledgeFactory,
)
from tests.helpers import camt053


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def desk_payment(cac):
    return PaymentFactory(member=IndividualFactory(first_name="Lucie", last_name="Aubrac"))


@pytest.fixture
def desk_slip(cac, desk_payment):
    slip = DepositSlipFactory()
    desk_payment.deposit_slip = slip
    desk_payment.save(update_fields=["deposit_slip"])
    return slip


@pytest.fixture
def desk_import(cac):
    """An uploaded file waiting for its confirmation."""
    return upload_import("Nom;Prénom\r\nDurand;Léa\r\n".encode(), "membres.csv", actor=None)


# Who pays in the statements of tests/data, under the references written there (2026 pledges).
CAST = [
    # reference, kind, names, pledge
    (101, "individual", {"first_name": "Léa", "last_name": "Durand"}, "50.00"),
    (102, "individual", {"first_name": "Paul", "last_name": "Martin"}, "100.00"),
    (103, "organisation", {"name": "Les Amis du Quartier", "acronym": "ADQ"}, "200.00"),
    (104, "individual", {"first_name": "Jeanne", "last_name": "Moreau"}, "50.00"),
    (105, "individual", {"first_name": "Hélène", "last_name": "Garçon"}, "20.00"),
    (106, "individual", {"first_name": "Marc", "last_name": "Petit"}, "50.00"),
    (107, "individual", {"first_name": "Sophie", "last_name": "Leroy"}, "80.00"),
]
STATEMENT_YEAR = 2026
PETIT_IBAN = "FR1420041010050500013M02606"


def _past_the_cast():
    """Members created from now on get primary keys (so references) past the cast's: SQLite
    counts from the largest key, PostgreSQL's sequence is moved past it if it is not yet."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('members_member', 'id'), "
                "GREATEST((SELECT last_value FROM members_member_id_seq), 1000))"
            )


@pytest.fixture
def bank_cast(cac):
    """The members of tests/data's statements, each with an open 2026 pledge; Marc Petit's
    IBAN already known from an earlier transfer. {reference number: member}."""
    _past_the_cast()
    members = {}
    for number, kind, names, amount in CAST:
        factory = OrganisationFactory if kind == "organisation" else IndividualFactory
        # The reference follows from the primary key (`Member.save`): the cast takes theirs.
        member = factory(pk=number, **names)
        assert member.reference == f"CAC-{number:06d}"
        PledgeFactory(member=member, year=STATEMENT_YEAR, amount=Decimal(amount))
        members[number] = member
    KnownPayerAccount.objects.create(iban=PETIT_IBAN, member=members[106])
    return members


@pytest.fixture
def deposited_slip(cac):
    """Slip of three cheques (130 €) deposited on 3 March 2026: the v02 statement's credit."""
    received = datetime.date(STATEMENT_YEAR, 3, 1)
    cheques = [
        PaymentFactory(amount=Decimal(a), year=STATEMENT_YEAR, received_on=received)
        for a in ("50", "50", "30")
    ]
    slip = create_slip(cheques, actor=None, year=STATEMENT_YEAR)
    deposited = timezone.make_aware(datetime.datetime(STATEMENT_YEAR, 3, 3, 17, 0))
    DepositSlip.objects.filter(pk=slip.pk).update(deposited_at=deposited)
    slip.refresh_from_db()
    return slip


@pytest.fixture
def desk_bank_line(cac):
    """One imported statement with one open credit line (a transfer nobody matched yet)."""
    import_statement(
        data=camt053([{"day": datetime.date(2026, 3, 2), "amount": "42.00", "ref": "DESK1"}]),
        file_name="releve.xml",
        actor=None,
    )
    return BankLine.objects.get(bank_reference="DESK1")
