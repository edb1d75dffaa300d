"""Every /tresorerie/ URL, for every kind of visitor: strangers log in, members and the staff get
403, the treasurer and the superuser get through. The URL list is read from receipts.urls, so a
new treasury URL is in the matrix the day it is added."""

import pytest
from django.test import Client
from django.urls import reverse

from receipts.models import AnnualBatch, ErrorReport, Receipt
from receipts.services import issue_annual_receipt
from receipts.urls import urlpatterns
from tests.helpers import LAST_YEAR, pay

pytestmark = pytest.mark.django_db

TREASURY_URLS = [p.name for p in urlpatterns if str(p.pattern).startswith("tresorerie/")]
PARAMETERS = {
    "code": lambda receipt, report: receipt.code,
    "year": lambda receipt, report: LAST_YEAR,
    "pk": lambda receipt, report: report.pk,
    "verification_token": lambda receipt, report: receipt.verification_token,
}
# Views that only take a POST answer a GET with 405, before any other check but the login.
POST_ONLY = {"batch_start", "resolve_report", "declare"}


@pytest.fixture
def receipt(cac, donor):
    pay(donor, "50")
    AnnualBatch.objects.create(fiscal_year=LAST_YEAR, total=1, status="done")
    return issue_annual_receipt(donor.pk, LAST_YEAR, actor=None)[0]


@pytest.fixture
def report(receipt):
    return ErrorReport.objects.create(receipt=receipt, message="Mon adresse a changé.")


def treasury_url(name, receipt, report):
    pattern = next(p for p in urlpatterns if p.name == name)
    kwargs = {key: PARAMETERS[key](receipt, report) for key in pattern.pattern.converters}
    return reverse(f"receipts:{name}", kwargs=kwargs)


def test_the_matrix_covers_every_treasury_url():
    assert len(TREASURY_URLS) >= 6
    assert {key for p in urlpatterns for key in p.pattern.converters} <= set(PARAMETERS)


@pytest.mark.parametrize("name", TREASURY_URLS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, name, receipt, report):
    url = treasury_url(name, receipt, report)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["member_user", "staff_user"])
@pytest.mark.parametrize("name", TREASURY_URLS)
def test_members_and_staff_are_refused(client, request, who, name, receipt, report):
    client.force_login(request.getfixturevalue(who))
    url = treasury_url(name, receipt, report)
    assert client.get(url).status_code in (403, 405 if name in POST_ONLY else 403)
    assert client.post(url, {"reason": "x", "fiscal_year": LAST_YEAR}).status_code == 403
    assert Receipt.objects.get(pk=receipt.pk).status == "issued"


@pytest.mark.parametrize("who", ["treasurer_user", "superuser"])
@pytest.mark.parametrize("name", TREASURY_URLS)
def test_treasurer_and_superuser_get_every_page(client, request, who, name, receipt, report):
    client.force_login(request.getfixturevalue(who))
    response = client.get(treasury_url(name, receipt, report))
    assert response.status_code == (405 if name in POST_ONLY else 200)


@pytest.mark.parametrize("name", TREASURY_URLS)
def test_state_changes_need_the_csrf_token(name, treasurer_user, receipt, report):
    client = Client(enforce_csrf_checks=True)
    client.force_login(treasurer_user)
    url = treasury_url(name, receipt, report)
    assert client.post(url, {"reason": "x", "fiscal_year": LAST_YEAR}).status_code == 403
    assert Receipt.objects.get(pk=receipt.pk).status == "issued"
    assert ErrorReport.objects.get(pk=report.pk).resolved_at is None
