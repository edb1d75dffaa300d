"""/compte/donnees/: one ZIP with donnees.json (documented keys, ISO dates, amounts as
strings) and the member's receipt PDFs, the originals; for the member and for each person with
access to an organisation; staff produce it for a paper member; every download is recorded."""

import io
import json
import zipfile

import pytest

from members.models import AuditEntry, Member
from members.personal_data import KEYS
from receipts.models import private_storage
from tests.factories import IndividualFactory, PaymentFactory
from tests.helpers import member_of, pdf_text

pytestmark = pytest.mark.django_db

TOP_LEVEL = {"_cles", *KEYS}


def unzip(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return json.loads(archive.read("donnees.json")), archive


def test_an_individual_downloads_all_their_data(client, member_user):
    member = member_of(member_user)
    PaymentFactory(member=member, amount="50.00", drawer="Anne Adhérente", cheque_number="123")
    client.force_login(member_user)
    page = client.get("/compte/donnees/")
    assert page.status_code == 200
    assert "donnees.json" in page.content.decode()

    data, archive = unzip(client.post("/compte/donnees/"))

    assert set(data) == TOP_LEVEL
    assert data["membre"]["reference"] == member.reference
    assert data["membre"]["last_name"] == "Adhérente"
    assert data["membre"]["email"] == "adherente@example.org"
    assert data["paiements"][0]["amount"] == "50.00"
    assert data["paiements"][0]["drawer"] == "Anne Adhérente"
    assert data["acces"] == [
        {"email": "adherente@example.org", "role": "owner", "depuis": data["acces"][0]["depuis"]}
    ]
    # ISO 8601 dates, with their offset.
    assert data["genere_le"][:4].isdigit() and data["genere_le"][10] == "T"
    assert archive.namelist() == ["donnees.json"]


def test_an_organisation_gets_its_receipts_originals_and_everyone_with_access_may(
    client, organisation_with_data
):
    member = organisation_with_data["member"]
    receipts = {r.number: r for r in member.receipts.all()}
    assert len(receipts) == 2
    for person in ("owner", "helper"):
        client.force_login(organisation_with_data[person])
        data, archive = unzip(client.post("/compte/donnees/"))
        assert data["membre"]["name"] == "Les Amis du Quartier"
        assert [c["name"] for c in data["correspondants"]] == ["Paul Martin", "Inès Roy"]
        assert {a["email"] for a in data["acces"]} == {
            "presidente@adq.example.org",
            "benevole@adq.example.org",
        }
        assert [p["amount"] for p in data["promesses"]] == ["100.00"]
        assert sorted(p["amount"] for p in data["paiements"]) == ["100.00", "20.50"]
        assert {r["number"] for r in data["recus"]} == set(receipts)
        assert [c["version"] for c in data["chartes"]] == [1]
        assert len(data["politiques_de_confidentialite"]) == 1
        assert {e["recu"] for e in data["courriels"] if e["type"] == "recu"} == set(receipts)
        assert any(h["action"] == "payment.recorded" for h in data["historique"])
        for number, receipt in receipts.items():
            name = f"recus/recu-{number}.pdf"
            assert name in archive.namelist()
            # The original as stored and emailed, not a copy marked DUPLICATA.
            assert archive.read(name) == private_storage().open(receipt.pdf.name, "rb").read()
            assert "DUPLICATA" not in pdf_text(archive.read(name))
    downloads = AuditEntry.objects.filter(action=AuditEntry.Action.MEMBER_DATA_EXPORTED)
    assert downloads.count() == 2
    assert {e.actor for e in downloads} == {
        organisation_with_data["owner"],
        organisation_with_data["helper"],
    }


def test_nobody_downloads_another_members_data(client, member_user, stranger_user):
    client.force_login(stranger_user)
    data, _archive = unzip(client.post("/compte/donnees/"))
    assert data["membre"]["reference"] == member_of(stranger_user).reference
    assert "Adhérente" not in json.dumps(data, ensure_ascii=False)


def test_a_person_without_a_member_gets_404(client, staff_user):
    client.force_login(staff_user)
    assert client.get("/compte/donnees/").status_code == 404
    assert client.post("/compte/donnees/").status_code == 404


def test_strangers_are_asked_to_log_in(client, cac):
    response = client.get("/compte/donnees/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_staff_download_a_paper_members_data_and_it_is_recorded(client, staff_user):
    member = IndividualFactory(last_name="Papier", first_name="Jeanne")
    client.force_login(staff_user)
    data, _archive = unzip(client.post(f"/gestion/membres/{member.reference}/donnees/"))
    assert data["membre"]["last_name"] == "Papier"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.MEMBER_DATA_EXPORTED)
    assert entry.actor == staff_user
    assert entry.target == member


def test_a_member_cannot_use_the_staffs_download(client, member_user):
    other = IndividualFactory()
    client.force_login(member_user)
    assert client.post(f"/gestion/membres/{other.reference}/donnees/").status_code == 403


def test_a_large_download_is_built_by_the_worker_and_its_link_emailed(
    client, organisation_with_data, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.PERSONAL_DATA_SYNC_MAX_FILES = 1
    owner = organisation_with_data["owner"]
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/compte/donnees/")
    assert response.status_code == 302
    mail = mailoutbox[-1]
    assert mail.to == [owner.email]
    link = next(line for line in mail.body.splitlines() if "/compte/donnees/" in line)
    path = link[link.index("/compte/donnees/") :]
    data, archive = unzip(client.get(path))
    assert len([n for n in archive.namelist() if n.startswith("recus/")]) == 2
    # The link is the person's own: another person with access cannot use it.
    client.force_login(organisation_with_data["helper"])
    assert client.get(path).status_code == 404
    assert client.get("/compte/donnees/pas-un-jeton/").status_code == 404
    assert Member.objects.count() >= 1
