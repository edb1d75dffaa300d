"""The staff's CSV exports of members, payments and pledges: the lists' filters, the columns,
formulas neutralised, streamed in a constant number of queries, and an audit entry each."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dues.models import Payment, PaymentStatus, Pledge
from members.models import AuditEntry, Member
from tests import clock
from tests.factories import (
    DepositSlipFactory,
    IndividualFactory,
    OrganisationFactory,
    PaymentFactory,
    PledgeFactory,
)
from tests.helpers import csv_rows

pytestmark = pytest.mark.django_db
YEAR = clock.YEAR


@pytest.fixture
def people(cac):
    lucie = IndividualFactory(
        first_name="Lucie",
        last_name="Aubrac",
        email="lucie@example.org",
        phone_mobile="+33612345678",
        city="Paris",
    )
    canal = OrganisationFactory(name="Les Amis du Canal", acronym="LAC", city="Lyon")
    evil = IndividualFactory(first_name="Eve", last_name='=HYPERLINK("http://x.example")')
    PaymentFactory(member=lucie, year=YEAR - 1, amount=Decimal("50.00"))
    PaymentFactory(member=canal, year=YEAR, amount=Decimal("120.50"))
    return lucie, canal, evil


def by_reference(rows):
    header, *lines = rows
    return header, {line[0]: dict(zip(header, line, strict=True)) for line in lines}


def test_members_export_has_the_list_columns_in_french_and_neutralises_formulas(
    staff_client, people
):
    lucie, canal, evil = people
    response = staff_client.get(reverse("dues:members_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="membres-')
    header, rows = by_reference(csv_rows(response))
    assert header[:6] == ["Référence", "Type", "Nom", "Prénom", "Structure", "Sigle"]
    assert f"À jour {YEAR}" in header
    assert set(rows) == {lucie.reference, canal.reference, evil.reference}
    assert rows[lucie.reference]["Type"] == "personne physique"
    assert rows[lucie.reference]["Mobile"] == "06 12 34 56 78"
    assert rows[lucie.reference][f"À jour {YEAR}"] == "non"
    assert rows[lucie.reference]["Dernière année à jour"] == str(YEAR - 1)
    assert rows[canal.reference]["Structure"] == "Les Amis du Canal"
    assert rows[canal.reference][f"À jour {YEAR}"] == "oui"
    assert rows[canal.reference]["Budget annuel"] == "15000,00"
    assert rows[evil.reference]["Nom"] == '\'=HYPERLINK("http://x.example")'


def test_members_export_takes_the_list_filters(staff_client, people):
    lucie, canal, _ = people
    rows = csv_rows(staff_client.get(reverse("dues:members_csv"), {"kind": "organisation"}))
    assert [row[0] for row in rows[1:]] == [canal.reference]
    rows = csv_rows(staff_client.get(reverse("dues:members_csv"), {"up_to_date": YEAR - 1}))
    assert [row[0] for row in rows[1:]] == [lucie.reference]
    assert f"À jour {YEAR - 1}" in rows[0]
    rows = csv_rows(staff_client.get(reverse("dues:members_csv"), {"city": "lyon"}))
    assert [row[0] for row in rows[1:]] == [canal.reference]


def test_each_export_leaves_an_audit_entry_with_who_which_filters_and_how_many_rows(
    staff_client, staff_user, people
):
    response = staff_client.get(reverse("dues:members_csv"), {"kind": "individual", "city": ""})
    assert len(csv_rows(response)) == 3
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT_MEMBERS)
    assert entry.actor == staff_user
    assert entry.after == {"filters": {"kind": "individual"}, "rows": 2}
    assert entry.target == ContentType.objects.get_for_model(Member)


def test_a_filter_that_does_not_parse_exports_nothing(staff_client, people):
    response = staff_client.get(reverse("dues:members_csv"), {"up_to_date": "l'an dernier"})
    assert response.status_code == 400
    assert "Saisissez un nombre entier." in response.content.decode()
    assert not AuditEntry.objects.filter(action__startswith="export.").exists()


def test_payments_export_columns_and_filters(staff_client, people):
    lucie, canal, _ = people
    slip = DepositSlipFactory(deposited_at=timezone.now())
    on_slip = PaymentFactory(
        member=lucie,
        year=YEAR,
        amount=Decimal("30.00"),
        deposit_slip=slip,
        pledge=PledgeFactory(member=lucie, purpose="donation", amount=Decimal("30.00")),
    )
    Payment.objects.filter(member=canal).update(
        status=PaymentStatus.REJECTED, status_reason="sans provision"
    )
    rows = csv_rows(staff_client.get(reverse("dues:payments_csv")))
    header = rows[0]
    assert header[:8] == [
        "Reçu le",
        "Référence",
        "Membre",
        "Type",
        "Année de cotisation",
        "Objet",
        "Mode",
        "Montant",
    ]
    lines = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert len(lines) == 3
    donation = next(line for line in lines if line["Montant"] == "30,00")
    assert donation["Objet"] == "soutien/don"
    assert donation["Membre"] == "Lucie Aubrac"
    assert donation["Bordereau"] == slip.number
    assert donation["Remis en banque le"] == timezone.localdate().isoformat()
    rejected = next(line for line in lines if line["Référence"] == canal.reference)
    assert rejected["État"] == "rejeté (impayé)" and rejected["Motif"] == "sans provision"
    assert rejected["Objet"] == "adhésion", "a payment without pledge is an adhesion"
    assert rejected["Membre"] == "Les Amis du Canal (LAC)"

    def references(**filters):
        response = staff_client.get(reverse("dues:payments_csv"), filters)
        return sorted((row[1], row[7]) for row in csv_rows(response)[1:])

    assert references(status="rejected") == [(canal.reference, "120,50")]
    assert references(deposited="yes") == [(lucie.reference, "30,00")]
    assert references(year=YEAR - 1) == [(lucie.reference, "50,00")]
    assert references(kind="organisation", method="cheque") == [(canal.reference, "120,50")]
    assert on_slip.pk


def test_pledges_export_says_what_was_received(staff_client, people):
    lucie, canal, _ = people
    paid = PledgeFactory(member=lucie, amount=Decimal("50.00"))
    PaymentFactory(member=lucie, pledge=paid, amount=Decimal("50.00"))
    waiting = PledgeFactory(member=canal, purpose="donation", amount=Decimal("200.00"))
    rows = csv_rows(staff_client.get(reverse("dues:pledges_csv")))
    header = rows[0]
    assert header == [
        "Créée le",
        "Référence",
        "Membre",
        "Type",
        "Année",
        "Objet",
        "Montant promis",
        "Source",
        "Montant reçu",
        "Réglée",
    ]
    lines = {row[1]: row for row in rows[1:]}
    assert lines[lucie.reference][6:] == ["50,00", "en ligne", "50,00", "oui"]
    assert lines[canal.reference][5:] == ["soutien/don", "200,00", "en ligne", "0,00", "non"]
    unpaid = csv_rows(staff_client.get(reverse("dues:pledges_csv"), {"paid": "no"}))
    assert [row[1] for row in unpaid[1:]] == [canal.reference]
    assert Pledge.objects.get(pk=waiting.pk)
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT_PLEDGES).first()
    assert entry.after == {"filters": {"paid": "no"}, "rows": 1}


def make_members(count):
    members = Member.objects.bulk_create(
        IndividualFactory.build(last_name=f"Lot{i}") for i in range(count)
    )
    Payment.objects.bulk_create(
        PaymentFactory.build(member=member, year=YEAR, cheque_number=f"{count}-{i}")
        for i, member in enumerate(members)
    )
    Pledge.objects.bulk_create(PledgeFactory.build(member=member) for member in members)


@pytest.mark.parametrize("name", ["members_csv", "payments_csv", "pledges_csv"])
def test_exports_cost_the_same_queries_for_5_or_50_rows(staff_client, cac, name):
    counts = []
    for size in (5, 45):
        make_members(size)
        with CaptureQueriesContext(connection) as queries:
            rows = csv_rows(staff_client.get(reverse(f"dues:{name}")))
        counts.append(len(queries))
        assert len(rows) == 1 + Member.objects.count()
    assert counts[0] == counts[1]


def test_exports_page_offers_the_three_exports(staff_client, cac):
    response = staff_client.get(reverse("dues:exports"))
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("members_csv", "payments_csv", "pledges_csv"):
        assert f'action="{reverse(f"dues:{name}")}"' in body


def test_the_lists_link_to_their_export_with_the_same_filters(staff_client, people):
    response = staff_client.get(reverse("dues:member_list"), {"kind": "organisation"})
    assert f"{reverse('dues:members_csv')}?kind=organisation" in response.content.decode()
    when = datetime.date(YEAR, 1, 1)
    response = staff_client.get(reverse("dues:payment_list"), {"year": when.year})
    assert f"{reverse('dues:payments_csv')}?year={YEAR}" in response.content.decode()


@pytest.mark.parametrize(
    "number", ["+33123456789", "+33612345678", "+33987654321", "+590590123456", "+32475123456"]
)
def test_phones_read_as_people_write_them_whatever_the_path(number):
    from dues.services.exports import readable_phone
    from members.validators import format_phone

    assert readable_phone(number) == format_phone(number)
