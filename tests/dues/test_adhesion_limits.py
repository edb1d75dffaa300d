"""Floods held back: the public form is limited per client address, confirmation emails per
recipient address; both through the shared cache, both reset when their window has passed."""

import datetime
import logging

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from dues.models import Pledge
from dues.services.confirmations import send_pledge_confirmation
from members.models import Member
from tests.factories import IndividualFactory, PledgeFactory
from tests.helpers import individual_post, text

URL = "/adhesion/"
LIMITED = "Trop de formulaires envoyés depuis votre connexion : réessayez dans quelques minutes."


def person(n):
    """The form of the n-th different person (a new member each time)."""
    return individual_post(
        **{"ind-last_name": f"Personne{n}", "ind-email": f"personne{n}@example.org"}
    )


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def test_a_sixth_form_in_ten_minutes_is_refused_with_everything_typed_kept(client, cac, clock):
    for n in range(5):
        assert client.post(URL, person(n)).status_code == 302
    assert Member.objects.count() == 5

    response = client.post(URL, person(5))
    assert response.status_code == 429
    page = text(response)
    assert LIMITED in page
    assert 'value="Personne5"' in page and 'value="personne5@example.org"' in page
    assert 'value="5 rue Oberkampf"' in page and 'value="75011"' in page
    assert 'id="adhesion-form"' in page
    assert Member.objects.count() == 5
    assert Pledge.objects.count() == 5

    # Ten minutes later the window has passed: the same person gets through.
    clock.shift(datetime.timedelta(minutes=10, seconds=1))
    assert client.post(URL, person(5)).status_code == 302
    assert Member.objects.count() == 6


def test_the_limit_is_a_setting(client, cac, clock, settings):
    settings.ADHESION_RATE_LIMIT = "2/h"
    assert client.post(URL, person(0)).status_code == 302
    assert client.post(URL, person(1)).status_code == 302
    assert client.post(URL, person(2)).status_code == 429
    clock.shift(datetime.timedelta(hours=1, seconds=1))
    assert client.post(URL, person(2)).status_code == 302


def test_bots_and_invalid_forms_count_too_but_adding_a_correspondent_does_not(client, cac, clock):
    for _ in range(3):
        assert client.post(URL, individual_post(fax="buy now")).status_code == 302
    assert client.post(URL, individual_post(**{"ind-postal_code": "7"})).status_code == 200
    for _ in range(4):
        response = client.post(URL, individual_post(add_correspondent="1"))
        assert response.status_code == 200
    assert client.post(URL, person(0)).status_code == 302
    assert client.post(URL, person(1)).status_code == 429
    assert Member.objects.count() == 1


def test_each_client_address_has_its_own_limit(cac, clock):
    first = Client(REMOTE_ADDR="198.51.100.1")
    second = Client(REMOTE_ADDR="198.51.100.2")
    for n in range(5):
        assert first.post(URL, person(n)).status_code == 302
    assert first.post(URL, person(5)).status_code == 429
    assert second.post(URL, person(6)).status_code == 302


def test_behind_one_trusted_proxy_two_clients_have_separate_limits(cac, clock, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The TLS proxy connects from 127.0.0.1 and appends the address it saw to X-Forwarded-For;
    # whatever the client wrote before it is not trusted.
    first = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.10")
    for n in range(5):
        assert first.post(URL, person(n)).status_code == 302
    assert first.post(URL, person(5)).status_code == 429
    spoofing = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.10")
    assert spoofing.post(URL, person(5)).status_code == 429
    second = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.20")
    assert second.post(URL, person(6)).status_code == 302


def test_without_a_trusted_proxy_a_spoofed_forwarded_for_is_ignored(cac, clock, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        spoofed = Client(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        assert spoofed.post(URL, person(n)).status_code == 302
    spoofed = Client(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="10.0.0.99")
    assert spoofed.post(URL, person(5)).status_code == 429


# Confirmation emails: a few per recipient address per day, whatever the client address.


def test_a_fourth_confirmation_to_one_address_in_a_day_is_not_sent(
    cac, clock, django_capture_on_commit_callbacks, caplog
):
    for n in range(4):
        client = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
        data = individual_post(
            **{"ind-email": "cible@example.org"}, tier="other", other_amount=str(20 + n)
        )
        with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
            assert client.post(URL, data).status_code == 302
    # The pledge is saved each time (the first makes the member; the others, sent with a
    # known address by someone not logged in, wait to be attached: issue 11) ...
    assert [p.amount for p in Pledge.objects.order_by("pk")] == [20, 21, 22, 23]
    assert Pledge.objects.to_match().count() == 3
    last = Pledge.objects.latest("pk")
    # ... but only three emails went to that address, and the fourth is in the log.
    assert [message.to for message in mail.outbox] == [["cible@example.org"]] * 3
    assert "not sent" in caplog.text and str(last.pk) in caplog.text

    clock.shift(datetime.timedelta(days=1, seconds=1))
    assert send_pledge_confirmation(last) is True
    assert len(mail.outbox) == 4


def test_the_email_limit_is_per_address_whatever_its_case_and_a_setting(cac, clock, settings):
    settings.CONFIRMATION_EMAILS_PER_ADDRESS_PER_DAY = 1
    first = PledgeFactory(member=IndividualFactory(email="une@example.org"))
    same_address = PledgeFactory(member=IndividualFactory(email="Une@Example.ORG"))
    other = PledgeFactory(member=IndividualFactory(email="deux@example.org"))
    assert send_pledge_confirmation(first) is True
    assert send_pledge_confirmation(same_address) is False
    assert send_pledge_confirmation(other) is True
    assert [message.to for message in mail.outbox] == [["une@example.org"], ["deux@example.org"]]


@pytest.mark.parametrize(
    "backend, logged",
    [
        # The portal's own: answers as an empty cache, and says so.
        ("cac_portal.cache.OutageTolerantRedisCache", "cache unreachable: add()"),
        # Django's plain one, should an installation configure it: the limit lets it through.
        ("django.core.cache.backends.redis.RedisCache", "rate limit dues.adhesion not checked"),
    ],
)
@pytest.mark.django_db(transaction=True)
def test_an_unreachable_cache_lets_people_through_and_is_logged(
    cac, settings, caplog, backend, logged
):
    # Nothing listens on port 1: every cache call fails as during a Redis outage.
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "redis://127.0.0.1:1/0"}}
    with caplog.at_level(logging.WARNING):
        assert Client().post(URL, person(0)).status_code == 302
    assert Member.objects.count() == 1
    assert len(mail.outbox) == 1
    assert logged in caplog.text


@pytest.mark.django_db(transaction=True)
def test_logging_in_still_works_while_the_cache_is_down(cac, settings, django_user_model):
    settings.CACHES = {
        "default": {
            "BACKEND": "cac_portal.cache.OutageTolerantRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    from allauth.account.models import EmailAddress

    user = django_user_model.objects.create_user("a@example.org", "a@example.org", "pw-ok-123456")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    response = Client().post(
        "/accounts/login/", {"login": "a@example.org", "password": "pw-ok-123456"}
    )
    assert response.status_code == 302, "logged in, not a server error"
