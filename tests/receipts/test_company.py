"""A company (taxed at corporate or at income tax: CGI art. 238 bis) gets the fiscal receipt of
model 16216; its SIREN is checked and its legal form known before that receipt is issued."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from members.models import Member
from members.validators import normalize_rna, normalize_siren
from receipts.models import Receipt
from receipts.services import ReceiptError, issue_organisation_receipt
from tests.factories import OrganisationFactory
from tests.helpers import pay, text

pytestmark = pytest.mark.django_db


def test_a_company_at_income_tax_gets_a_fiscal_receipt(cac):
    sole_trader = OrganisationFactory(
        name="Menuiserie Durand",
        is_company=True,
        siren="732829320",
        legal_form="Entreprise individuelle (impôt sur le revenu)",
    )
    receipt = issue_organisation_receipt(pay(sole_trader, "300").pk, actor=None)
    assert receipt.is_fiscal
    assert (receipt.donor_siren, receipt.donor_legal_form) == (
        "732829320",
        "Entreprise individuelle (impôt sur le revenu)",
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"siren": "", "legal_form": "SARL"},
        {"siren": "552100554", "legal_form": ""},
    ],
)
def test_the_database_refuses_a_company_without_siren_or_legal_form(cac, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(is_company=True, **fields)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("000000000", "SIREN"),
        ("552100555", "SIREN"),
        ("55210055", "9 chiffres"),
        ("W75-12", "9 chiffres"),
    ],
)
def test_a_wrong_siren_is_refused_next_to_the_field(cac, typed, message):
    member = OrganisationFactory.build(is_company=True, siren=typed, legal_form="SAS")
    with pytest.raises(ValidationError) as error:
        member.full_clean(exclude=["reference"])
    assert "siren" in error.value.message_dict
    assert message in " ".join(error.value.message_dict["siren"])


def test_siren_and_rna_are_read_as_people_type_them():
    assert normalize_siren(" 552 100 554 ") == "552100554"
    assert normalize_rna(" w751234567 ") == "W751234567"
    assert normalize_rna("W2A1002345") == "W2A1002345"  # Corse-du-Sud
    for wrong in ["W75-12", "751234567", "W75123456", "W7512345678", "X751234567"]:
        with pytest.raises(ValidationError):
            normalize_rna(wrong)


def test_a_company_whose_stored_siren_is_wrong_waits_with_the_reason(cac):
    company = OrganisationFactory(is_company=True, siren="552100554", legal_form="SAS")
    Member.objects.filter(pk=company.pk).update(siren="000000000")  # typed before the checks
    with pytest.raises(ReceiptError, match="SIREN"):
        issue_organisation_receipt(pay(company, "100").pk, actor=None)
    assert not Receipt.objects.exists()


def test_the_treasury_lists_the_company_payments_waiting_and_why(client, treasurer_user, cac):
    company = OrganisationFactory(
        name="Scierie Dupin", is_company=True, siren="552100554", legal_form="SAS"
    )
    Member.objects.filter(pk=company.pk).update(siren="000000000")
    pay(company, "100")
    client.force_login(treasurer_user)
    page = text(client.get("/tresorerie/"))
    waiting = page[page.index('id="companies-waiting"') :]
    assert "Scierie Dupin" in waiting and "SIREN « 000000000 »" in waiting
