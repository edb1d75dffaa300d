"""Who saw what: the team's openings of a member's record, its receipt downloads and every
export of personal data are recorded (who, when, which member or which filter, how many rows);
the member's page at /gestion/ shows its history, and the member's own download includes it."""

import io
import json
import zipfile

import pytest

from members.models import AuditEntry
from tests import clock
from tests.helpers import csv_rows, member_of, text

pytestmark = pytest.mark.django_db


def test_opening_a_members_record_is_recorded_and_shown_in_its_history(
    client, staff_user, organisation_with_data
):
    member = organisation_with_data["member"]
    client.force_login(staff_user)
    client.get(f"/gestion/membres/{member.reference}/")
    receipt = member.receipts.first()
    assert client.get(receipt.get_absolute_url()).status_code == 200

    page = text(client.get(f"/gestion/membres/{member.reference}/"))

    views = AuditEntry.objects.filter(action=AuditEntry.Action.MEMBER_VIEWED)
    assert views.count() == 2
    assert {entry.actor for entry in views} == {staff_user}
    assert {entry.target for entry in views} == {member}
    history = page[page.index("Historique") :]
    assert "fiche consultée par l'équipe" in history
    assert "reçu téléchargé par l'équipe" in history
    assert "saisi" in history  # the payments' recording
    assert "secretariat@example.org" in history


def test_the_members_download_includes_who_saw_it(client, staff_user, organisation_with_data):
    member = organisation_with_data["member"]
    client.force_login(staff_user)
    client.get(f"/gestion/membres/{member.reference}/")
    client.get(member.receipts.first().get_absolute_url())
    client.force_login(organisation_with_data["owner"])
    archive = zipfile.ZipFile(io.BytesIO(client.post("/compte/donnees/").content))
    history = json.loads(archive.read("donnees.json"))["historique"]
    seen = {(entry["action"], entry["par"]) for entry in history}
    assert ("member.viewed", "l'équipe du Collectif") in seen
    assert ("receipt.downloaded", "l'équipe du Collectif") in seen


def test_exports_of_personal_data_are_recorded_with_their_filter_and_rows(
    client, staff_user, member_user
):
    client.force_login(staff_user)
    rows = csv_rows(client.get("/gestion/membres/export.csv?kind=individual"))
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT_MEMBERS)
    assert entry.actor == staff_user
    assert entry.after["rows"] == len(rows) - 1
    assert entry.after["filters"]["kind"] == "individual"


def test_a_member_does_not_see_the_teams_history_page(client, member_user):
    client.force_login(member_user)
    reference = member_of(member_user).reference
    assert client.get(f"/gestion/membres/{reference}/").status_code == 403
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.MEMBER_VIEWED).exists()


def test_the_receipts_register_export_is_recorded(client, treasurer_user, organisation_with_data):
    client.force_login(treasurer_user)
    rows = csv_rows(client.get(f"/tresorerie/registre/{clock.YEAR}.csv"))
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT_RECEIPTS)
    assert entry.actor == treasurer_user
    assert entry.after == {"filters": {"annee": clock.YEAR}, "rows": len(rows) - 1}
