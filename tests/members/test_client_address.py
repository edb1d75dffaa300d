"""The client's real address behind the TLS proxy: allauth's limits key on it, so one client's
failed logins lock out that client (and the attacked accounts), never everyone behind the proxy."""

import pytest
from django.test import Client, RequestFactory

from cac_portal.clients import client_ip

LOGIN = "/accounts/login/"
PASSWORD = "correct horse battery staple"
TOO_MANY = "Trop de tentatives de connexion"


def behind_proxy(client_address):
    """A visitor as gunicorn sees them behind the TLS proxy on the same machine."""
    return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=client_address)


def logs_in(client, email):
    response = client.post(LOGIN, {"login": email, "password": PASSWORD})
    return response.status_code == 302 and "_auth_user_id" in client.session


def fail_logins(client, count):
    for n in range(count):
        client.post(LOGIN, {"login": f"random{n}@example.net", "password": "wrong"})


@pytest.mark.parametrize(
    ("proxies", "meta", "expected"),
    [
        (0, {"REMOTE_ADDR": "198.51.100.7"}, "198.51.100.7"),
        (0, {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "198.51.100.7"),
        (1, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}, "203.0.113.5"),
        (
            1,
            {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.5"},
            "203.0.113.5",
        ),
        (
            2,
            {"REMOTE_ADDR": "10.1.1.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.5, 10.0.0.2"},
            "203.0.113.5",
        ),
        # Fewer addresses than trusted proxies: every one was written by a proxy we trust.
        (2, {"REMOTE_ADDR": "10.1.1.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}, "203.0.113.5"),
        (1, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": " 2001:db8::1 "}, "2001:db8::1"),
        # A proxy that forwards nothing readable: the proxy's own address, never an error.
        (1, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "unknown"}, "127.0.0.1"),
        (1, {"REMOTE_ADDR": "127.0.0.1"}, "127.0.0.1"),
        (0, {"REMOTE_ADDR": ""}, "0.0.0.0"),
    ],
)
def test_client_ip_takes_the_address_the_nearest_trusted_proxy_saw(
    settings, proxies, meta, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", **meta)
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_one_clients_failed_logins_do_not_lock_out_another_behind_the_same_proxy(
    settings, member_user
):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = behind_proxy("203.0.113.66")
    fail_logins(attacker, 12)
    response = attacker.post(LOGIN, {"login": member_user.email, "password": PASSWORD})
    assert TOO_MANY in response.content.decode()
    assert logs_in(behind_proxy("198.51.100.20"), member_user.email)


@pytest.mark.django_db
def test_the_attacked_account_stays_locked_whatever_the_client_address(settings, member_user):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(6):
        behind_proxy(f"203.0.113.{n + 1}").post(
            LOGIN, {"login": member_user.email, "password": "wrong"}
        )
    response = behind_proxy("198.51.100.20").post(
        LOGIN, {"login": member_user.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()


@pytest.mark.django_db
def test_without_a_trusted_proxy_a_spoofed_forwarded_for_does_not_dodge_the_limit(
    settings, member_user
):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(12):
        Client(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").post(
            LOGIN, {"login": f"random{n}@example.net", "password": "wrong"}
        )
    spoofed = Client(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="10.9.9.9")
    response = spoofed.post(LOGIN, {"login": member_user.email, "password": PASSWORD})
    assert TOO_MANY in response.content.decode()
