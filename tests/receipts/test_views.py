"""Who may download a receipt, the member's error report, and the treasurer's pages."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from members.models import AuditEntry
from receipts.models import ErrorReport, Receipt
from receipts.services import issue_annual_receipt
from tests.factories import IndividualFactory
from tests.helpers import LAST_YEAR, member_of, pay, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def receipt(member_user):
    member = member_of(member_user)
    pay(member, "50")
    return issue_annual_receipt(member.pk, LAST_YEAR, actor=None)[0]


def download(client, user, receipt, query=""):
    if user is not None:
        client.force_login(user)
    return client.get(receipt.get_absolute_url() + query)


def test_anonymous_is_sent_to_login(client, receipt):
    response = download(client, None, receipt)
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_someone_else_gets_404(client, receipt, stranger_user):
    assert download(client, stranger_user, receipt).status_code == 404


@pytest.mark.parametrize("who", ["member_user", "staff_user", "treasurer_user", "superuser"])
def test_its_member_staff_and_treasurer_download_it(client, receipt, who, request):
    response = download(client, request.getfixturevalue(who), receipt)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"recu-{receipt.number}" in response["Content-Disposition"]
    assert receipt.number in pdf_text(b"".join(response))


def test_staff_download_is_audited(client, receipt, staff_user):
    download(client, staff_user, receipt)
    entry = AuditEntry.objects.get(action="receipt.downloaded")
    assert entry.actor == staff_user and entry.object_id == str(receipt.pk)


def test_cancelled_receipt_downloads_marked(client, receipt, treasurer_user):
    client.force_login(treasurer_user)
    response = client.post(
        f"/tresorerie/recus/{receipt.code}/annuler/",
        {"reason": "Nom mal orthographié", "reissue": "on"},
    )
    assert response.status_code == 302
    text = pdf_text(b"".join(client.get(receipt.get_absolute_url())))
    assert "ANNULÉ" in text and "Nom mal orthographié" in text
    new = Receipt.objects.valid().get()
    assert new.replaces_id == receipt.pk


def test_media_is_not_served(client, receipt, treasurer_user):
    from receipts.services import ensure_pdf

    ensure_pdf(receipt)
    client.force_login(treasurer_user)
    assert client.get(f"/media/private/{receipt.pdf.name}").status_code == 404
    assert client.get(f"/private-not-served/{receipt.pdf.name}").status_code == 404


def test_member_reports_an_error_on_their_own_receipt(client, receipt, member_user, stranger_user):
    url = f"/recus/{receipt.code}/signaler/"
    client.force_login(stranger_user)
    assert client.post(url, {"message": "pas à moi"}).status_code == 404
    client.force_login(member_user)
    response = client.post(url, {"message": "Mon prénom est Anne", "next": "/compte/"})
    assert response.status_code == 302 and response.url == "/compte/"
    assert ErrorReport.objects.get().message == "Mon prénom est Anne"


def test_member_receipts_include_lists_them_with_links(rf, receipt, member_user):
    request = rf.get("/compte/")
    request.user = member_user
    html = render_to_string(
        "receipts/_member_receipts.html",
        {"receipts": member_of(member_user).receipts.all()},
        request=request,
    )
    assert receipt.number in html and receipt.get_absolute_url() in html
    assert f"/recus/{receipt.code}/signaler/" in html
    assert "50,00" in html


def test_treasurer_starts_the_batch_and_follows_it(
    client, treasurer_user, django_capture_on_commit_callbacks
):
    for _ in range(3):
        pay(IndividualFactory(), "40")
    client.force_login(treasurer_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/tresorerie/lot/", {"fiscal_year": LAST_YEAR})
    assert response.status_code == 302
    state = client.get(f"/tresorerie/lot/{LAST_YEAR}/progression.json").json()
    assert state | {} == {
        "fiscal_year": LAST_YEAR,
        "status": "done",
        "total": 3,
        "done": 3,
        "failed": 0,
        "percent": 100,
        "finished": True,
    }
    page = client.get(f"/tresorerie/?annee={LAST_YEAR}").content.decode()
    assert "<progress" in page and "js/batch.js" in page
    assert "3 émis sur 3" in page


def test_receipts_list_is_paginated_in_constant_queries(client, treasurer_user):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/tresorerie/?annee={LAST_YEAR}").status_code == 200
        return len(queries)

    client.force_login(treasurer_user)
    # The first page of a process reads the collective, then kept between requests.
    client.get(f"/tresorerie/?annee={LAST_YEAR}")
    person = IndividualFactory()
    pay(person, "10")
    issue_annual_receipt(person.pk, LAST_YEAR, actor=None)
    few = count_queries()
    for _ in range(12):
        person = IndividualFactory()
        pay(person, "10")
        issue_annual_receipt(person.pk, LAST_YEAR, actor=None)
    assert count_queries() == few


def test_one_open_report_per_receipt_then_a_new_one_once_it_is_answered(
    client, receipt, member_user, treasurer_user
):
    url = f"/recus/{receipt.code}/signaler/"
    client.force_login(member_user)
    for _ in range(5):
        response = client.post(url, {"message": "Mon prénom est Anne", "next": "/compte/"})
        assert response.status_code == 302
    assert ErrorReport.objects.count() == 1, "a flood of reports cannot bury the treasurer"
    page = client.get("/compte/", follow=True).content.decode()
    assert "Vous avez déjà signalé une erreur sur ce reçu" in page

    client.force_login(treasurer_user)
    report = ErrorReport.objects.get()
    client.post(f"/tresorerie/erreurs/{report.pk}/traitee/")
    report.refresh_from_db()
    assert report.resolved_at is not None and report.resolved_by == treasurer_user
    client.force_login(member_user)
    client.post(url, {"message": "Toujours faux", "next": "/compte/"})
    assert ErrorReport.objects.filter(resolved_at__isnull=True).count() == 1
    assert AuditEntry.objects.filter(action="receipt.error_reported").count() == 2
    assert AuditEntry.objects.filter(action="receipt.report_resolved").count() == 1


def test_cancelling_answers_the_reports_in_the_same_transaction(receipt, member_user):
    from receipts.services import cancel_receipt
    from receipts.services.reports import report_error

    report = report_error(receipt, message="Adresse fausse", actor=member_user)
    cancel_receipt(receipt, reason="Adresse corrigée", actor=None)
    report.refresh_from_db()
    assert report.resolved_at == Receipt.objects.get(pk=receipt.pk).cancelled_at
