"""The treasurer edits the collective's bank details: the IBAN and BIC are checked and kept
compact, shown in groups of four, and every change is in the audit trail."""

import pytest
from django.urls import reverse

from charter.models import Collective
from members.models import AuditEntry
from tests.helpers import text

pytestmark = pytest.mark.django_db

URL = reverse("receipts:bank_details")


@pytest.fixture
def treasurer(client, treasurer_user):
    client.force_login(treasurer_user)
    return client


def test_the_treasurer_saves_the_bank_details_compact_and_reads_them_grouped(
    treasurer, treasurer_user
):
    response = treasurer.post(
        URL,
        {
            "holder": "  Collectif des  Associations Citoyennes ",
            "iban": "fr76 4255 9100 0008 0012 3456 771",
            "bic": "ccop frpp xxx",
        },
    )
    assert response.status_code == 302
    collective = Collective.load()
    assert collective.bank_account_holder == "Collectif des Associations Citoyennes"
    assert collective.bank_account_number == "FR7642559100000800123456771"
    assert collective.bank_bic == "CCOPFRPPXXX"
    page = text(treasurer.get(URL))
    assert "FR76 4255 9100 0008 0012 3456 771" in page
    entry = AuditEntry.objects.get(action=AuditEntry.Action.BANK_DETAILS_CHANGED)
    assert entry.actor == treasurer_user
    assert entry.before["bank_account_number"] == ""
    assert entry.after["bank_account_number"] == "FR7642559100000800123456771"


def test_the_help_text_says_why_the_name_must_be_the_banks(treasurer):
    page = text(treasurer.get(URL))
    assert "vérifie désormais que ce nom correspond à l'IBAN" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("iban", "FR76 4255 9100 0008 0012 3456 772", "Cet IBAN n'est pas valide"),
        ("iban", "XX00 1234", "Cet IBAN n'est pas valide"),
        ("bic", "CCOP", "Ce BIC n'est pas valide"),
        ("holder", "", "Indiquez le titulaire du compte"),
    ],
)
def test_a_wrong_value_is_refused_next_to_its_field_and_nothing_is_lost(
    treasurer, field, value, message
):
    data = {
        "holder": "Collectif des Associations Citoyennes",
        "iban": "FR7642559100000800123456771",
        "bic": "CCOPFRPPXXX",
        field: value,
    }
    response = treasurer.post(URL, data)
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert f'id="id_{field}_errors"' in page
    for typed in data.values():
        if typed:
            assert f'value="{typed}"' in page
    assert Collective.load().bank_account_number == ""
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.BANK_DETAILS_CHANGED).exists()


def test_saving_the_same_details_twice_writes_one_audit_entry(treasurer):
    data = {"holder": "CAC", "iban": "FR7642559100000800123456771", "bic": ""}
    treasurer.post(URL, data)
    treasurer.post(URL, data)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.BANK_DETAILS_CHANGED).count() == 1


def test_the_treasury_page_links_to_it(treasurer):
    assert URL in text(treasurer.get(reverse("receipts:treasury")))
