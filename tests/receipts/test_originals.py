"""The stored file is the original and never changes: the member downloads it as it was emailed,
the team gets copies marked DUPLICATA, and a damaged original is reported, never overwritten."""

import io
import logging

import pytest
from django.core import mail
from django.core.files.storage import storages
from django.core.management import CommandError, call_command

from members.models import AuditEntry
from receipts.services import ensure_pdf, issue_annual_receipt
from receipts.services.mailing import email_receipt
from tests.helpers import LAST_YEAR, member_of, pay, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def receipt(member_user):
    member = member_of(member_user)
    pay(member, "50")
    receipt = issue_annual_receipt(member.pk, LAST_YEAR, actor=None)[0]
    ensure_pdf(receipt)
    return receipt


def download(client, user, receipt, query=""):
    client.force_login(user)
    response = client.get(receipt.get_absolute_url() + query)
    assert response.status_code == 200
    return b"".join(response)


def stored(receipt):
    with storages["private"].open(receipt.pdf.name, "rb") as handle:
        return handle.read()


def tamper(receipt):
    storage = storages["private"]
    with open(storage.path(receipt.pdf.name), "wb") as handle:
        handle.write(b"%PDF-1.7 not the receipt any more")


def test_the_member_downloads_the_very_original_that_was_emailed(client, receipt, member_user):
    assert email_receipt(receipt)
    (message,) = mail.outbox
    ((name, attached, _),) = message.attachments
    assert name == f"recu-{receipt.number}.pdf"
    assert attached == stored(receipt)
    assert download(client, member_user, receipt) == attached, "the same bytes, no DUPLICATA"


@pytest.mark.parametrize("who", ["staff_user", "treasurer_user", "superuser"])
@pytest.mark.parametrize("query", ["", "?copie=duplicata", "?copie=original"])
def test_the_team_always_gets_a_copy_marked_duplicata(client, receipt, request, who, query):
    data = download(client, request.getfixturevalue(who), receipt, query)
    assert data != stored(receipt)
    text = pdf_text(data)
    assert "DUPLICATA" in text and receipt.number in text
    assert AuditEntry.objects.filter(action="receipt.downloaded").count() == 1


def test_a_tampered_original_is_reported_and_never_overwritten(
    client, receipt, member_user, caplog
):
    tamper(receipt)
    with caplog.at_level(logging.ERROR, logger="receipts"):
        data = download(client, member_user, receipt)
    text = pdf_text(data)
    assert "DUPLICATA" in text and receipt.number in text
    assert stored(receipt) == b"%PDF-1.7 not the receipt any more", "left as found, for the record"
    entry = AuditEntry.objects.get(action="receipt.original_damaged")
    assert entry.object_id == str(receipt.pk) and entry.actor == member_user
    assert receipt.number in caplog.text and "SHA-256" in caplog.text

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_receipts", stdout=out)
    assert f"{receipt.number}: stored PDF does not match its SHA-256" in out.getvalue()


def test_a_missing_original_is_served_as_a_duplicate_and_reported(
    client, receipt, member_user, caplog
):
    name = receipt.pdf.name
    storages["private"].delete(name)
    with caplog.at_level(logging.ERROR, logger="receipts"):
        text = pdf_text(download(client, member_user, receipt))
    assert "DUPLICATA" in text
    assert not storages["private"].exists(name), "no new 'original' made years later"
    assert AuditEntry.objects.filter(action="receipt.original_damaged").exists()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_receipts", stdout=out)
    assert f"{receipt.number}: stored PDF missing" in out.getvalue()


def test_an_email_finding_a_damaged_original_attaches_a_duplicate(receipt, caplog):
    tamper(receipt)
    with caplog.at_level(logging.ERROR, logger="receipts"):
        assert email_receipt(receipt)
    ((name, attached, _),) = mail.outbox[0].attachments
    assert name == f"recu-{receipt.number}-duplicata.pdf"
    assert "DUPLICATA" in pdf_text(attached)
    assert AuditEntry.objects.filter(action="receipt.original_damaged", actor=None).exists()


def test_check_receipts_is_quiet_when_all_is_well(receipt):
    out = io.StringIO()
    call_command("check_receipts", stdout=out)
    assert "no problem found" in out.getvalue()
