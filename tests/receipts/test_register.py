"""The receipts register: every receipt numbered in a year, with what the accountant and the tax
inspector look for, through the project's formula-safe CSV writer."""

import csv
import datetime
import io

import pytest
import time_machine
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


def register_as_it_was(year):
    """The register as it was written from whole rows (`get_..._display()` on each): the
    reference the streamed register must match byte for byte."""
    from members import spreadsheets
    from receipts.models import Receipt
    from receipts.services.register import REGISTER_HEADER

    def fiscal_article(receipt):
        if not receipt.is_fiscal:
            return "non"
        return "CGI art. 200" if receipt.kind == "annual" else "CGI art. 238 bis"

    def replaced_by(receipt):
        try:
            return receipt.replaced_by.number
        except Receipt.DoesNotExist:
            return ""

    receipts = Receipt.objects.filter(number__startswith=f"{year:04d}-").order_by("number")
    table = (
        [
            receipt.number,
            receipt.issued_on,
            receipt.get_kind_display(),
            fiscal_article(receipt),
            receipt.fiscal_year,
            receipt.donor_name,
            receipt.amount,
            receipt.get_status_display(),
            timezone.localtime(receipt.cancelled_at).date() if receipt.cancelled_at else None,
            receipt.cancellation_reason,
            receipt.replaces.number if receipt.replaces_id else "",
            replaced_by(receipt),
        ]
        for receipt in receipts
    )
    return "".join(spreadsheets.lines(REGISTER_HEADER, table)).encode("utf-8")


def test_the_streamed_register_has_the_same_bytes_as_the_register_of_whole_rows(
    client, treasurer_user, donor, company, organisation
):
    year = timezone.localdate().year
    pay(donor, "50.10", on=datetime.date(LAST_YEAR, 12, 30))
    pay(donor, "12", on=datetime.date(LAST_YEAR, 3, 2))
    first = issue_annual_receipt(donor.pk, LAST_YEAR, actor=None)[0]
    # Cancelled late in the evening, Paris time: the next day in UTC.
    evening = datetime.datetime(year, 11, 3, 23, 30, tzinfo=datetime.UTC)
    with time_machine.travel(evening, tick=False):
        second = cancel_receipt(first, reason="Adresse corrigée", actor=None)
    cancel_receipt(second, reason="=1+1 @SUM(A1)", actor=None)
    issue_organisation_receipt(pay(company, "300").pk, actor=None)
    issue_organisation_receipt(pay(organisation, "80").pk, actor=None)
    formula = IndividualFactory(first_name="", last_name='=HYPERLINK("http://x.example","clic")')
    pay(formula, "10")
    issue_annual_receipt(formula.pk, LAST_YEAR, actor=None)

    client.force_login(treasurer_user)
    response = client.get(f"/tresorerie/registre/{year}.csv")
    assert response.streaming, "streamed, row by row"
    content = b"".join(response.streaming_content)
    assert len(rows(content)) == 1 + 6
    assert content == register_as_it_was(year)
    out = io.StringIO()
    call_command("export_receipts", str(year), stdout=out)
    assert out.getvalue().encode("utf-8") == content
