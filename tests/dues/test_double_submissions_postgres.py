"""Two submissions at once on PostgreSQL: the same paper form typed twice (a double click, or
two desks) makes at most one member and records its cheque once; the public form too."""

import pytest
from django.test import Client
from django.urls import reverse

from dues.models import Payment, Pledge
from members.models import Member
from tests.helpers import individual_post, paper_post, run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def paper(**overrides):
    return paper_post(signed_days_ago=2, **overrides)


def staff_clients(user, count):
    clients = []
    for _ in range(count):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def test_a_double_click_on_the_paper_form(cac, staff_user):
    data = paper(submission_key="0b9a3f0e-6f53-4e43-9a57-8f0f6d1e2a11")
    clients = staff_clients(staff_user, 2)
    responses = run_at_once([lambda c=c: c.post(reverse("dues:paper_form"), data) for c in clients])
    assert [r.status_code for r in responses] == [302, 302]
    assert Member.objects.count() == 1
    assert Payment.objects.count() == 1


def test_two_desks_typing_the_same_paper_form(cac, staff_user):
    clients = staff_clients(staff_user, 3)
    responses = run_at_once(
        [
            lambda c=c, n=n: c.post(reverse("dues:paper_form"), paper(cheque_number=f"55500{n}"))
            for n, c in enumerate(clients)
        ]
    )
    assert Member.objects.count() == 1
    assert Payment.objects.count() == 1
    assert sorted(r.status_code for r in responses) == [200, 200, 302]
    assert all(
        "Doublons probables" in r.content.decode() for r in responses if r.status_code == 200
    )


def test_the_same_cheque_from_two_desks_for_two_members(cac, staff_user):
    clients = staff_clients(staff_user, 2)
    responses = run_at_once(
        [
            lambda c=clients[0]: c.post(reverse("dues:paper_form"), paper()),
            lambda c=clients[1]: c.post(
                reverse("dues:paper_form"),
                paper(**{"ind-last_name": "Zola", "ind-first_name": "Émile"}),
            ),
        ]
    )
    assert sorted(r.status_code for r in responses) == [200, 302]
    assert Payment.objects.count() == 1


def test_a_double_click_on_the_adhesion_form(cac):
    data = individual_post(submission_key="5d1c7a52-13a4-4d61-bb5e-3f1ad2a3c0de")
    clients = [Client(), Client()]
    responses = run_at_once([lambda c=c: c.post("/adhesion/", data) for c in clients])
    assert [r.status_code for r in responses] == [302, 302]
    assert Member.objects.count() == 1
    assert Pledge.objects.count() == 1
