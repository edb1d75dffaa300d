"""The accountant's journal: each payment, deposit and bounce as balanced double entries in
the chart's accounts (changeable by the treasurer), totals that tie to the dashboard."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from dues.models import Payment, PaymentMethod, PaymentStatus, Purpose
from dues.services import cancel_payment, reject_payment
from dues.services.slips import create_slip, mark_deposited
from members import spreadsheets
from members.models import AuditEntry
from receipts.models import AccountingSettings
from receipts.services import journal
from receipts.services.dashboard import figures
from tests.factories import IndividualFactory, OrganisationFactory, PaymentFactory, PledgeFactory
from tests.helpers import LAST_YEAR, csv_rows

pytestmark = pytest.mark.django_db
Y = LAST_YEAR
HEADER = [
    "Date",
    "Journal",
    "Pièce",
    "Compte",
    "Référence membre",
    "Libellé",
    "Débit",
    "Crédit",
    "Mode",
    "Bordereau",
]


def at(month, day_of_month, hour=10):
    return datetime.datetime(Y, month, day_of_month, hour, tzinfo=timezone.get_current_timezone())


def paid(member, amount, on, method=PaymentMethod.CHEQUE, purpose=None, **extra):
    pledge = None
    if purpose:
        pledge = PledgeFactory(member=member, year=Y, purpose=purpose, amount=Decimal(amount))
    if method != PaymentMethod.CHEQUE:
        extra.update(cheque_number="", bank="", drawer="")
    return PaymentFactory(
        member=member,
        amount=Decimal(amount),
        year=Y,
        received_on=on,
        method=method,
        pledge=pledge,
        **extra,
    )


@pytest.fixture
def books(cac):
    """A year of the books, each case once."""
    lucie = IndividualFactory(first_name="Lucie", last_name="Aubrac")
    canal = OrganisationFactory(name="Les Amis du Canal", acronym="LAC")
    cheque = paid(lucie, "50", datetime.date(Y, 2, 1))
    gift = paid(canal, "30", datetime.date(Y, 2, 3), purpose=Purpose.DONATION)
    with time_machine.travel(at(2, 10), tick=False):
        slip = create_slip([cheque, gift], actor=None)
        mark_deposited(slip, actor=None)
    transfer = paid(canal, "100", datetime.date(Y, 3, 1), PaymentMethod.TRANSFER)
    cash = paid(lucie, "20", datetime.date(Y, 3, 2), PaymentMethod.CASH)
    # A cheque deposited then bounced; another bounced before it went to the bank.
    bounced = paid(canal, "40", datetime.date(Y, 3, 5))
    with time_machine.travel(at(3, 6), tick=False):
        late_slip = create_slip([bounced], actor=None)
        mark_deposited(late_slip, actor=None)
    with time_machine.travel(at(3, 20), tick=False):
        reject_payment(bounced, reason="sans provision", actor=None)
    early = paid(lucie, "25", datetime.date(Y, 4, 1))
    with time_machine.travel(at(4, 2), tick=False):
        reject_payment(early, reason="signature manquante", actor=None)
    # An entry mistake and a payment of the old spreadsheet: neither is in the books.
    mistake = paid(lucie, "99", datetime.date(Y, 5, 1))
    cancel_payment(mistake, reason="erreur de saisie", actor=None)
    paid(lucie, "77", datetime.date(Y, 5, 2), is_imported=True, cheque_number="")
    return {
        "lucie": lucie,
        "canal": canal,
        "cheque": cheque,
        "gift": gift,
        "slip": slip,
        "late_slip": late_slip,
        "transfer": transfer,
        "cash": cash,
        "bounced": bounced,
        "early": early,
    }


def year_rows(start=datetime.date(Y, 1, 1), end=datetime.date(Y, 12, 31)):
    return [[spreadsheets.cell(value) for value in row] for row in journal.rows(start, end)]


def piece(pk):
    return f"PAI-{pk:06d}"


def test_each_case_gives_its_entries(books):
    lucie, canal = books["lucie"].reference, books["canal"].reference
    slip, late = books["slip"].number, books["late_slip"].number
    rows = year_rows()
    assert rows == [
        [f"{Y}-02-01", "BQ", piece(books["cheque"].pk), "5112", lucie,
         f"Cotisation {Y} — Lucie Aubrac", "50,00", "", "chèque", slip],
        [f"{Y}-02-01", "BQ", piece(books["cheque"].pk), "756", lucie,
         f"Cotisation {Y} — Lucie Aubrac", "", "50,00", "chèque", slip],
        [f"{Y}-02-03", "BQ", piece(books["gift"].pk), "5112", canal,
         f"Don {Y} — Les Amis du Canal (LAC)", "30,00", "", "chèque", slip],
        [f"{Y}-02-03", "BQ", piece(books["gift"].pk), "7541", canal,
         f"Don {Y} — Les Amis du Canal (LAC)", "", "30,00", "chèque", slip],
        [f"{Y}-02-10", "BQ", slip, "512", "",
         f"Remise de chèques {slip} (2 chèques)", "80,00", "", "chèque", slip],
        [f"{Y}-02-10", "BQ", slip, "5112", "",
         f"Remise de chèques {slip} (2 chèques)", "", "80,00", "chèque", slip],
        [f"{Y}-03-01", "BQ", piece(books["transfer"].pk), "512", canal,
         f"Cotisation {Y} — Les Amis du Canal (LAC)", "100,00", "", "virement", ""],
        [f"{Y}-03-01", "BQ", piece(books["transfer"].pk), "756", canal,
         f"Cotisation {Y} — Les Amis du Canal (LAC)", "", "100,00", "virement", ""],
        [f"{Y}-03-02", "CA", piece(books["cash"].pk), "53", lucie,
         f"Cotisation {Y} — Lucie Aubrac", "20,00", "", "espèces", ""],
        [f"{Y}-03-02", "CA", piece(books["cash"].pk), "756", lucie,
         f"Cotisation {Y} — Lucie Aubrac", "", "20,00", "espèces", ""],
        [f"{Y}-03-05", "BQ", piece(books["bounced"].pk), "5112", canal,
         f"Cotisation {Y} — Les Amis du Canal (LAC)", "40,00", "", "chèque", late],
        [f"{Y}-03-05", "BQ", piece(books["bounced"].pk), "756", canal,
         f"Cotisation {Y} — Les Amis du Canal (LAC)", "", "40,00", "chèque", late],
        [f"{Y}-03-06", "BQ", late, "512", "",
         f"Remise de chèques {late} (1 chèque)", "40,00", "", "chèque", late],
        [f"{Y}-03-06", "BQ", late, "5112", "",
         f"Remise de chèques {late} (1 chèque)", "", "40,00", "chèque", late],
        [f"{Y}-03-20", "BQ", piece(books["bounced"].pk) + "-R", "756", canal,
         "Impayé (sans provision) — Les Amis du Canal (LAC)", "40,00", "", "chèque", late],
        [f"{Y}-03-20", "BQ", piece(books["bounced"].pk) + "-R", "512", canal,
         "Impayé (sans provision) — Les Amis du Canal (LAC)", "", "40,00", "chèque", late],
        [f"{Y}-04-01", "BQ", piece(books["early"].pk), "5112", lucie,
         f"Cotisation {Y} — Lucie Aubrac", "25,00", "", "chèque", ""],
        [f"{Y}-04-01", "BQ", piece(books["early"].pk), "756", lucie,
         f"Cotisation {Y} — Lucie Aubrac", "", "25,00", "chèque", ""],
        [f"{Y}-04-02", "BQ", piece(books["early"].pk) + "-R", "756", lucie,
         "Impayé (signature manquante) — Lucie Aubrac", "25,00", "", "chèque", ""],
        [f"{Y}-04-02", "BQ", piece(books["early"].pk) + "-R", "5112", lucie,
         "Impayé (signature manquante) — Lucie Aubrac", "", "25,00", "chèque", ""],
    ]  # fmt: skip


def test_every_piece_balances(books):
    totals = {}
    for row in journal.rows(datetime.date(Y, 1, 1), datetime.date(Y, 12, 31)):
        debit, credit = row[6] or Decimal(0), row[7] or Decimal(0)
        totals[row[2]] = totals.get(row[2], Decimal(0)) + debit - credit
    assert len(totals) == 10
    assert set(totals.values()) == {Decimal(0)}


def test_income_ties_to_the_dashboard(books):
    year = figures(Y)
    income = {"756", "7541"}
    net = sum(
        (row[7] or Decimal(0)) - (row[6] or Decimal(0))
        for row in journal.rows(datetime.date(Y, 1, 1), datetime.date(Y, 12, 31))
        if row[3] in income
    )
    # The dashboard counts what is received now; the journal what came in, less what bounced;
    # the old spreadsheet's payments were booked in the old books.
    assert net == year.total - year.imported == Decimal("200.00")


def test_a_period_holds_the_entries_dated_in_it(books):
    march = year_rows(datetime.date(Y, 3, 1), datetime.date(Y, 3, 31))
    assert [row[2] for row in march][::2] == [
        piece(books["transfer"].pk),
        piece(books["cash"].pk),
        piece(books["bounced"].pk),
        books["late_slip"].number,
        piece(books["bounced"].pk) + "-R",
    ]
    assert journal.count_rows(datetime.date(Y, 3, 1), datetime.date(Y, 3, 31)) == len(march)


def test_the_treasurer_downloads_the_journal_of_a_period(client, treasurer_user, books):
    client.force_login(treasurer_user)
    response = client.get(reverse("receipts:journal_csv"), {"du": f"{Y}-02-01", "au": f"{Y}-02-28"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="journal-{Y}-02-01-{Y}-02-28.csv"'
    )
    rows = csv_rows(response)
    assert rows[0] == HEADER
    assert len(rows) == 1 + 6
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT_JOURNAL)
    assert entry.actor == treasurer_user
    assert entry.after == {"filters": {"du": f"{Y}-02-01", "au": f"{Y}-02-28"}, "rows": 6}


def test_the_journal_page_shows_the_balance_per_account(client, treasurer_user, books):
    client.force_login(treasurer_user)
    response = client.get(reverse("receipts:journal"), {"du": f"{Y}-01-01", "au": f"{Y}-12-31"})
    assert response.status_code == 200
    balances = dict(
        (account, (debit, credit)) for account, debit, credit in response.context["balances"]
    )
    assert balances["5112"] == (Decimal("145.00"), Decimal("145.00"))
    assert balances["512"] == (Decimal("220.00"), Decimal("40.00"))
    assert balances["756"] == (Decimal("65.00"), Decimal("235.00"))
    assert balances["7541"] == (Decimal("0.00"), Decimal("30.00"))
    assert balances["53"] == (Decimal("20.00"), Decimal("0.00"))


@pytest.mark.parametrize(
    "period",
    [
        {"du": "hier", "au": ""},
        {"du": f"{Y}-05-01", "au": f"{Y}-04-01"},
        {"du": "2000-01-01", "au": f"{Y}-01-01"},
    ],
)
def test_a_bad_period_is_explained_and_exports_nothing(client, treasurer_user, cac, period):
    client.force_login(treasurer_user)
    response = client.get(reverse("receipts:journal_csv"), period)
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT_JOURNAL).exists()


def test_the_treasurer_changes_the_accounts(client, treasurer_user, books):
    client.force_login(treasurer_user)
    assert AccountingSettings.objects.count() == 0, "the chart's defaults until saved"
    values = {
        "bank_journal": "bq1",
        "cash_journal": "CA",
        "bank_account": "51210",
        "cheques_account": "5112",
        "cash_account": "530",
        "dues_account": "7561",
        "donations_account": "75411",
    }
    response = client.post(reverse("receipts:accounts"), values)
    assert response.status_code == 302
    saved = AccountingSettings.load()
    assert (saved.bank_journal, saved.bank_account, saved.dues_account) == ("BQ1", "51210", "7561")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNTING_CHANGED)
    assert entry.actor == treasurer_user and entry.after["dues_account"] == "7561"
    rows = year_rows(datetime.date(Y, 3, 1), datetime.date(Y, 3, 1))
    assert [row[1] for row in rows] == ["BQ1", "BQ1"]
    assert [row[3] for row in rows] == ["51210", "7561"]


def test_accounts_must_be_of_their_class(client, treasurer_user, cac):
    client.force_login(treasurer_user)
    response = client.post(
        reverse("receipts:accounts"),
        {
            "bank_journal": "BQ",
            "cash_journal": "CA",
            "bank_account": "756",
            "cheques_account": "5112",
            "cash_account": "53",
            "dues_account": "512",
            "donations_account": "",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Un compte de trésorerie (classe 5)" in body
    assert "Un compte de produits (classe 7)" in body
    assert "Ce champ est obligatoire." in body
    assert AccountingSettings.objects.count() == 0


def test_a_payment_of_an_open_year_is_absent_once_undone(books):
    before = len(year_rows())
    later = paid(books["lucie"], "12", datetime.date(Y, 6, 1))
    assert len(year_rows()) == before + 2
    Payment.objects.filter(pk=later.pk).update(
        status=PaymentStatus.CANCELLED, status_reason="doublon"
    )
    assert len(year_rows()) == before
