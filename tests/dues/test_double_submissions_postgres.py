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


def test_two_forms_with_one_email_in_two_cases_make_one_member(cac):
    """Without the same submission key: the lock on the email (any case) serialises them, and
    the second finds the first's member (its pledge waits to be attached)."""
    forms = [
        individual_post(**{"ind-email": "lea@example.org"}),
        individual_post(**{"ind-email": "LEA@Example.org"}),
    ]
    clients = [Client(), Client()]
    responses = run_at_once(
        [lambda c=c, f=f: c.post("/adhesion/", f) for c, f in zip(clients, forms, strict=True)]
    )
    assert [r.status_code for r in responses] == [302, 302]
    assert Member.objects.count() == 1
    assert Pledge.objects.count() == 2


def test_forms_with_other_emails_do_not_wait_for_each_other(cac):
    """A creation holds its email's lock until it commits; another email's creation, in
    another connection, goes through meanwhile (its lock timeout refuses it if it waits)."""
    import threading

    from django.db import connection, transaction

    from dues.services.pledges import submit_adhesion

    def form(email):
        return {
            "kind": "individual",
            "member_data": {
                "last_name": "Durand",
                "first_name": "Léa",
                "email": email,
                "street": "5 rue Oberkampf",
                "postal_code": "75011",
                "city": "Paris",
                "country": "FR",
            },
            "purpose": "adhesion",
            "amount": 50,
        }

    outcome = {}

    def second():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '5s'")
                submit_adhesion(actor=None, notify=False, **form("second@example.org"))
            outcome["done"] = True
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            outcome["error"] = error
        finally:
            connection.close()

    with transaction.atomic():
        submit_adhesion(actor=None, notify=False, **form("first@example.org"))
        thread = threading.Thread(target=second)
        thread.start()
        thread.join()
    assert outcome == {"done": True}
    assert Member.objects.count() == 2
