"""The payments and members lists: filters, totals summed by the database, and a constant
number of SQL queries whatever the page size."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dues.models import DepositSlip, Payment, PaymentMethod, PaymentStatus
from members.models import Member, MemberKind
from tests import clock
from tests.factories import DepositSlipFactory, IndividualFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
YEAR = clock.YEAR
# Session, user, two permission lookups, the collective (footer), then the page's own: totals
# (or count), rows, and for members the count. A query per row would blow it at 10 rows already.
QUERY_BUDGET = 10


def make_rows(count):
    """`count` members, half organisations, each with one cheque; a third on a deposited slip."""
    start = Member.objects.count()
    members = Member.objects.bulk_create(
        Member(
            kind=MemberKind.ORGANISATION if i % 2 else MemberKind.INDIVIDUAL,
            last_name="" if i % 2 else f"Nom{i}",
            name=f"Structure {i}" if i % 2 else "",
            reference=f"CAC-{900000 + i}",
            city="Lyon" if i % 3 else "Paris",
        )
        for i in range(start, start + count)
    )
    slip = DepositSlipFactory(deposited_at=timezone.now())
    Payment.objects.bulk_create(
        Payment(
            member=member,
            year=YEAR,
            method=PaymentMethod.CHEQUE,
            amount=Decimal("10.00"),
            received_on=timezone.localdate(),
            cheque_number=str(start + i),
            bank="CIC",
            drawer="X",
            deposit_slip=slip if i % 3 == 0 else None,
        )
        for i, member in enumerate(members)
    )


@pytest.mark.parametrize("rows", [10, 1000])
def test_the_payments_list_costs_the_same_queries_for_10_or_1000_rows(
    staff_client, django_assert_max_num_queries, rows
):
    make_rows(rows)
    with django_assert_max_num_queries(QUERY_BUDGET) as queries:
        response = staff_client.get(reverse("dues:payment_list"), {"par_page": 1000})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == rows
    assert response.context["totals"]["total"] == Decimal("10.00") * rows
    print(f"payments list, {rows} rows: {len(queries)} queries")  # noqa: T201


@pytest.mark.parametrize("rows", [10, 1000])
def test_the_members_list_costs_the_same_queries_for_10_or_1000_rows(
    staff_client, django_assert_max_num_queries, rows
):
    make_rows(rows)
    with django_assert_max_num_queries(QUERY_BUDGET) as queries:
        response = staff_client.get(reverse("dues:member_list"), {"par_page": 1000})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == rows
    print(f"members list, {rows} rows: {len(queries)} queries")  # noqa: T201


@pytest.mark.parametrize("name", ["dues:payment_list", "dues:member_list"])
def test_a_hundred_times_more_rows_costs_no_more_query(
    staff_client, django_assert_max_num_queries, name
):
    make_rows(10)
    # The first page of a process reads the collective, then kept between requests.
    staff_client.get(reverse(name))
    with django_assert_max_num_queries(QUERY_BUDGET) as small:
        staff_client.get(reverse(name), {"par_page": 1000})
    make_rows(990)
    with django_assert_max_num_queries(QUERY_BUDGET) as large:
        response = staff_client.get(reverse(name), {"par_page": 1000})
    assert len(response.context["page"].object_list) == 1000
    assert len(large) == len(small)


def test_payment_filters_and_totals(staff_client):
    person, organisation = IndividualFactory(), OrganisationFactory()
    slip = DepositSlip.objects.create(number="BR-2000-001", year=2000, deposited_at=timezone.now())
    Payment.objects.create(
        member=person,
        year=YEAR,
        method="cheque",
        amount=Decimal("50"),
        cheque_number="1",
        received_on=timezone.localdate(),
        deposit_slip=slip,
    )
    Payment.objects.create(
        member=organisation,
        year=YEAR,
        method="transfer",
        amount=Decimal("200"),
        received_on=timezone.localdate(),
    )
    Payment.objects.create(
        member=organisation,
        year=YEAR - 1,
        method="cheque",
        amount=Decimal("20"),
        cheque_number="2",
        received_on=timezone.localdate(),
        status=PaymentStatus.REJECTED,
        status_reason="Sans provision",
    )

    def totals(**filters):
        response = staff_client.get(reverse("dues:payment_list"), filters)
        found = response.context["totals"]
        return found["count"], found["total"]

    assert totals() == (3, Decimal("270"))
    assert totals(year=YEAR) == (2, Decimal("250"))
    assert totals(method="cheque") == (2, Decimal("70"))
    assert totals(status="rejected") == (1, Decimal("20"))
    assert totals(deposited="yes") == (1, Decimal("50"))
    assert totals(deposited="no") == (2, Decimal("220"))
    assert totals(kind="organisation") == (2, Decimal("220"))
    assert totals(kind="individual", year=YEAR - 1) == (0, None)
    page = staff_client.get(reverse("dues:payment_list"), {"kind": "individual"})
    assert "1 paiement, 50,00" in page.content.decode().replace("\u00a0", " ")


def test_member_filters(staff_client):
    up_to_date = IndividualFactory(city="Paris")
    late = IndividualFactory(city="Paris")
    organisation = OrganisationFactory(city="Lyon")
    Payment.objects.create(
        member=up_to_date,
        year=YEAR,
        method="cash",
        amount=Decimal("10"),
        received_on=timezone.localdate(),
    )
    Payment.objects.create(
        member=late,
        year=YEAR,
        method="cash",
        amount=Decimal("10"),
        received_on=timezone.localdate(),
        status=PaymentStatus.REJECTED,
        status_reason="x",
    )

    def found(**filters):
        response = staff_client.get(reverse("dues:member_list"), filters)
        return {member.pk for member in response.context["page"]}

    assert found() == {up_to_date.pk, late.pk, organisation.pk}
    assert found(up_to_date=YEAR) == {up_to_date.pk}
    assert found(up_to_date=YEAR - 1) == set()
    assert found(kind="organisation") == {organisation.pk}
    assert found(city="paris") == {up_to_date.pk, late.pk}
