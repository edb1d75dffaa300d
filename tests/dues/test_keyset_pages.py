"""Deep pages of the long lists (payments, members, receipts of a year): their "next" and
"previous" links carry the last row's ordering (keyset pagination), so page 1 000 costs what
page 1 does; walking them gives every row once, in order."""

import datetime
import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dues.models import Payment, PaymentMethod, PaymentStatus
from members.models import Member, MemberKind
from tests import clock

pytestmark = pytest.mark.django_db
NEXT = re.compile(r'href="\?([^"]*)" rel="next"')
PREVIOUS = re.compile(r'href="\?([^"]*)" rel="prev"')


def members(count):
    return Member.objects.bulk_create(
        Member(kind=MemberKind.INDIVIDUAL, last_name=f"Nom{i}", reference=f"CAC-{800000 + i}")
        for i in range(count)
    )


def payments(people, per_day=4):
    """Several payments on each day, so that the keyset needs its tie-breaker (the id)."""
    rows = [
        Payment(
            member=person,
            year=clock.LAST_YEAR,
            method=PaymentMethod.TRANSFER,
            amount=Decimal("10.00") + i,
            received_on=datetime.date(clock.LAST_YEAR, 1, 1)
            + datetime.timedelta(days=i // per_day),
        )
        for i, person in enumerate(people)
    ]
    Payment.objects.bulk_create(rows)


def walk(client, url, params, pattern=NEXT):
    """The pages a person reaches by following one kind of link, each with its queries."""
    pages = []
    query = params
    while query is not None:
        with CaptureQueriesContext(connection) as queries:
            if isinstance(query, str):
                response = client.get(url + "?" + query)
            else:
                response = client.get(url, query)
        assert response.status_code == 200
        pages.append((response, len(queries)))
        found = pattern.search(response.content.decode())
        query = unescape(found[1]) if found else None
    return pages


def test_walking_the_payments_pages_gives_every_payment_once_in_order(staff_client):
    payments(members(130))
    staff_client.get(reverse("dues:payment_list"))
    pages = walk(staff_client, reverse("dues:payment_list"), {"par_page": 20})
    seen = [p.pk for response, _ in pages for p in response.context["page"]]
    expected = list(Payment.objects.order_by("-received_on", "-pk").values_list("pk", flat=True))
    assert seen == expected
    assert [r.context["page"].number for r, _ in pages] == list(range(1, 8))
    # Page 7 costs the queries of page 1.
    assert len({count for _, count in pages}) == 1
    assert "Page 7 sur 7" in pages[-1][0].content.decode()


def test_the_previous_links_go_back_through_the_same_pages(staff_client):
    payments(members(95))
    url = reverse("dues:payment_list")
    forward = walk(staff_client, url, {"par_page": 20, "method": "transfer"})
    last_query = NEXT.search(forward[-2][0].content.decode())[1]
    backward = walk(staff_client, url, unescape(last_query), PREVIOUS)
    rows = [[p.pk for p in r.context["page"]] for r, _ in forward]
    assert [[p.pk for p in r.context["page"]] for r, _ in backward] == rows[::-1]
    # The filter stays in the links.
    assert "method=transfer" in unescape(last_query)


def test_a_typed_page_number_or_a_broken_cursor_still_answer(staff_client):
    payments(members(60))
    url = reverse("dues:payment_list")
    third = staff_client.get(url, {"par_page": 20, "page": 3}).context["page"]
    expected = list(Payment.objects.order_by("-received_on", "-pk").values_list("pk", flat=True))
    assert [p.pk for p in third] == expected[40:60]
    for cursor in ("garbage", "2026-13-40~1", "~", "2026-01-01~x"):
        response = staff_client.get(url, {"apres": cursor, "page": 2, "par_page": 20})
        assert response.status_code == 200
        assert [p.pk for p in response.context["page"]] == expected[20:40]


def test_the_members_pages_mark_who_is_up_to_date(staff_client):
    people = members(45)
    paid = people[::7]
    Payment.objects.bulk_create(
        Payment(
            member=person,
            year=clock.YEAR,
            method=PaymentMethod.TRANSFER,
            amount=Decimal("30.00"),
            received_on=clock.TODAY,
            status=PaymentStatus.RECEIVED,
        )
        for person in paid
    )
    pages = walk(staff_client, reverse("dues:member_list"), {"par_page": 10, "up_to_date": ""})
    rows = [m for response, _ in pages for m in response.context["page"]]
    assert [m.reference for m in rows] == sorted(p.reference for p in people)
    assert {m.pk for m in rows if m.up_to_date} == {p.pk for p in paid}
    assert len({count for _, count in pages[1:]}) == 1


def test_the_desk_search_finds_without_accents_or_case_in_its_order(staff_client):
    """The search reads its matches in the order it shows them (an index on that order, and
    on PostgreSQL a trigram index on the folded column); it finds what it found before."""
    Member.objects.bulk_create(
        [
            Member(kind=MemberKind.INDIVIDUAL, last_name="Jaurès", first_name="Jérôme"),
            Member(kind=MemberKind.INDIVIDUAL, last_name="JAURES", first_name="Amélie"),
            Member(kind=MemberKind.ORGANISATION, name="Société des Amis de Jaurès"),
            Member(kind=MemberKind.INDIVIDUAL, last_name="Durand", first_name="Léa"),
        ]
    )
    for member in Member.objects.all():
        member.save()  # the references and folded columns
    response = staff_client.get(reverse("dues:member_search"), {"q": "jaures"})
    labels = [row["label"] for row in response.json()["results"]]
    # Individuals first (by name, in the database's collation), then organisations.
    assert set(labels[:2]) == {"Amélie JAURES", "Jérôme Jaurès"}
    assert labels[2:] == ["Société des Amis de Jaurès"]
    response = staff_client.get(reverse("dues:member_search"), {"q": "JÉRÔME jaurès"})
    assert [row["label"] for row in response.json()["results"]] == ["Jérôme Jaurès"]
