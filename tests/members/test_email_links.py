"""Every link in an email is built from SITE_URL, never from the Host header of the request
that caused it: a Host with another port (or another allowed name) never reaches a mailbox."""

import re

import pytest
from django.core import mail
from django.test import Client

from tests.helpers import individual_post

SITE_URL = "https://adhesion.example.org"
ODD_HOST = "127.0.0.1:6666"


@pytest.fixture
def odd_host(settings):
    settings.SITE_URL = SITE_URL
    settings.ALLOWED_HOSTS = ["127.0.0.1", "adhesion.example.org", "testserver"]
    return Client(HTTP_HOST=ODD_HOST)


def links(message):
    return re.findall(r"https?://\S+", message.body)


def assert_only_site_links(message):
    assert links(message), message.body
    for link in links(message):
        assert link.startswith(SITE_URL + "/"), link
    assert "6666" not in message.body
    assert "127.0.0.1" not in message.body


def test_the_password_reset_link_starts_with_site_url(odd_host, member_user):
    response = odd_host.post("/accounts/password/reset/", {"email": member_user.email})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert any("/accounts/password/reset/key/" in link for link in links(message))
    assert_only_site_links(message)
    # The link works on the site.
    path = next(link for link in links(message) if "/key/" in link)[len(SITE_URL) :]
    assert Client().get(path, follow=True).status_code == 200


def test_the_email_confirmation_link_starts_with_site_url(odd_host, cac):
    response = odd_host.post(
        "/accounts/signup/",
        {
            "email": "nouvelle@example.org",
            "password1": "un mot de passe très long 42",
            "password2": "un mot de passe très long 42",
        },
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert any("/accounts/confirm-email/" in link for link in links(message))
    assert_only_site_links(message)


def test_the_unknown_account_email_links_to_site_url(odd_host, cac):
    odd_host.post("/accounts/password/reset/", {"email": "inconnue@example.org"})
    (message,) = mail.outbox
    assert any("/accounts/signup/" in link for link in links(message))
    assert_only_site_links(message)


@pytest.mark.django_db(transaction=True)
def test_the_adhesion_confirmation_links_to_site_url(odd_host, cac):
    assert odd_host.post("/adhesion/", individual_post()).status_code == 302
    (message,) = mail.outbox
    assert_only_site_links(message)
