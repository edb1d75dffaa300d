"""The privacy notice stays true: the pages it names exist and answer a member, the periods it
names are the ones the retention task applies; a new version is asked for at the next login,
as a new charter is."""

import re

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve

from charter.defaults import PRIVACY_NOTICE_V2
from charter.models import Charter, PrivacyNotice
from charter.services import accept_charter, accept_privacy_notice
from tests.helpers import member_of, text

pytestmark = pytest.mark.django_db

NOTICE = PRIVACY_NOTICE_V2["body"]


def named_paths(body):
    return set(re.findall(r"\(?(/compte/[a-z0-9/_-]*)", body))


def named_periods(body):
    return {
        "years": {int(n) for n in re.findall(r"\b(\d+) ans\b", body)},
        "days": {int(n) for n in re.findall(r"\b(\d+) jours\b", body)},
    }


def test_the_notice_in_force_is_the_one_checked_here(cac):
    assert PrivacyNotice.objects.current().body == NOTICE


def test_the_pages_the_notice_names_exist_and_answer_a_member(client, member_user):
    paths = named_paths(NOTICE)
    assert {"/compte/donnees/", "/compte/fermer/", "/compte/coordonnees/"} <= paths
    member = member_of(member_user)
    accept_charter(member, Charter.objects.current(), actor=None)
    accept_privacy_notice(member, PrivacyNotice.objects.current(), actor=None)
    client.force_login(member_user)
    for path in paths:
        try:
            resolve(path)
        except Resolver404:
            pytest.fail(f"the notice names {path}, which the portal does not serve")
        assert client.get(path).status_code == 200, path


def test_the_periods_the_notice_names_are_the_retention_settings():
    periods = named_periods(NOTICE)
    assert periods["years"] == {
        settings.RETENTION_CONTACT_YEARS,
        settings.RETENTION_RECEIPT_YEARS,
        settings.RETENTION_PAYMENT_YEARS,
    }
    assert periods["days"] == {settings.RETENTION_NOTICE_DAYS}
    assert f"{settings.RETENTION_CONTACT_YEARS} ans après votre dernier paiement" in NOTICE
    assert f"conservés {settings.RETENTION_RECEIPT_YEARS} ans après" in NOTICE
    assert f"comptables, {settings.RETENTION_PAYMENT_YEARS} ans après" in NOTICE
    assert f"{settings.RETENTION_NOTICE_DAYS} jours avant" in NOTICE


def test_a_change_of_period_in_the_settings_breaks_the_check(settings):
    settings.RETENTION_CONTACT_YEARS = 5
    with pytest.raises(AssertionError):
        test_the_periods_the_notice_names_are_the_retention_settings()


def test_a_member_who_accepted_version_1_is_asked_for_version_2_at_the_next_login(
    client, member_user
):
    member = member_of(member_user)
    accept_charter(member, Charter.objects.current(), actor=None)
    accept_privacy_notice(member, PrivacyNotice.objects.get(version=1), actor=None)
    response = client.post(
        "/accounts/login/",
        {"login": "adherente@example.org", "password": "correct horse battery staple"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/compte/charte/"
    page = text(response)
    assert "/compte/donnees/" in page
    response = client.post("/compte/charte/", {"privacy-accept": "on"})
    assert response.status_code == 302
    assert member.privacyacceptance_set.filter(notice__version=2).exists()
    assert client.get("/compte/").status_code == 200
