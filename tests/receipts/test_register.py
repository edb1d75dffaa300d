"""The receipts register: every receipt numbered in a year, with what the accountant and the tax
inspector look for, through the project's formula-safe CSV writer."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from receipts.services import cancel_receipt, issue_annual_receipt, issue_organisation_receipt
from tests.factories import IndividualFactory
from tests.helpers import LAST_YEAR, pay

pytestmark = pytest.mark.django_db

HEADER = [
    "numéro",
    "date d'émission",
    "type",
    "fiscal (article du CGI)",
    "année des dons",
    "donateur",
    "montant",
    "état",
    "annulé le",
    "motif d'annulation",
    "remplace",
    "remplacé par",
]


def rows(content):
    text = content.decode("utf-8") if isinstance(content, bytes) else content
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def download(client, user, year):
    client.force_login(user)
    response = client.get(f"/tresorerie/registre/{year}.csv")
    assert response.status_code == 200
    return rows(b"".join(response.streaming_content))


def test_the_register_has_every_column(client, treasurer_user, donor, company, organisation):
    pay(donor, "50", on=datetime.date(LAST_YEAR, 12, 30))
    old = issue_annual_receipt(donor.pk, LAST_YEAR, actor=None)[0]
    new = cancel_receipt(old, reason="Adresse corrigée", actor=None)
    old.refresh_from_db()
    company_receipt = issue_organisation_receipt(pay(company, "300").pk, actor=None)
    plain = issue_organisation_receipt(pay(organisation, "80").pk, actor=None)

    table = download(client, treasurer_user, timezone.localdate().year)
    assert table[0] == HEADER
    by_number = {row[0]: row for row in table[1:]}
    assert [row[0] for row in table[1:]] == sorted(by_number), "in number order"
    assert by_number[old.number] == [
        old.number,
        old.issued_on.isoformat(),
        "récapitulatif annuel (particulier)",
        "CGI art. 200",
        str(LAST_YEAR),
        "Lucie Aubrac",
        "50,00",
        "annulé",
        timezone.localtime(old.cancelled_at).date().isoformat(),
        "Adresse corrigée",
        "",
        new.number,
    ]
    assert by_number[new.number][7:] == ["émis", "", "", old.number, ""]
    assert by_number[company_receipt.number][3:5] == ["CGI art. 238 bis", str(LAST_YEAR)]
    assert by_number[plain.number][3] == "non"


def test_a_donor_named_like_a_formula_stays_a_name(client, treasurer_user, cac):
    person = IndividualFactory(first_name="", last_name='=HYPERLINK("http://evil.example","clic")')
    pay(person, "10")
    receipt = issue_annual_receipt(person.pk, LAST_YEAR, actor=None)[0]
    cancel_receipt(receipt, reason="-1+1 @SUM(A1)", reissue=False, actor=None)
    table = download(client, treasurer_user, timezone.localdate().year)
    (row,) = table[1:]
    assert row[5] == '\'=HYPERLINK("http://evil.example","clic")'
    assert row[9] == "'-1+1 @SUM(A1)"


def test_export_receipts_command_writes_the_same_register(donor, capsys):
    pay(donor, "50")
    receipt = issue_annual_receipt(donor.pk, LAST_YEAR, actor=None)[0]
    call_command("export_receipts", str(timezone.localdate().year))
    table = rows(capsys.readouterr().out)
    assert table[0] == HEADER
    assert table[1][0] == receipt.number and table[1][5] == "Lucie Aubrac"
