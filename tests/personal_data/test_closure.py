"""/compte/fermer/: the page says what goes and what the law keeps, asks for the password,
then erases the contact data, correspondents, directory entry and logins, keeps the reference,
the pledges' amounts, the payments and the receipts as issued, records it and emails a
confirmation. Staff close on a written request, with the reason."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from dues.models import Payment
from dues.models_bank import KnownPayerAccount
from members.closure import close_member
from members.models import AuditEntry, Correspondent, Member
from receipts.models import Receipt
from receipts.services import issue_annual_receipt, issue_organisation_receipt
from tests.factories import (
    IndividualFactory,
    OrganisationFactory,
    PaymentFactory,
    PledgeFactory,
)
from tests.helpers import LAST_YEAR, member_of, pay, text

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def close(client, password=PASSWORD):
    return client.post("/compte/fermer/", {"password": password})


def test_the_page_says_what_goes_and_what_the_law_keeps(client, member_user):
    client.force_login(member_user)
    page = text(client.get("/compte/fermer/"))
    assert "Ce qui sera effacé" in page
    assert "L102 E" in page and "6 ans" in page and "10 ans" in page
    assert 'type="password"' in page
    assert "Les dons qui n'ont pas encore leur reçu fiscal n'en recevront pas" in page


def test_a_wrong_password_closes_nothing(client, member_user):
    client.force_login(member_user)
    response = close(client, "pas le bon")
    assert response.status_code == 400
    assert "Ce mot de passe n'est pas le bon." in text(response)
    member = member_of(member_user)
    assert member.erased_at is None and member.email == "adherente@example.org"


def test_an_organisation_closed_by_its_owner(
    client, organisation_with_data, treasurer_user, mailoutbox, django_capture_on_commit_callbacks
):
    member = organisation_with_data["member"]
    member.directory_opt_in = True
    member.save()
    KnownPayerAccount.objects.create(member=member, iban="FR7630006000011234567890189")
    receipts_before = list(Receipt.objects.filter(member=member).values())
    payments_before = list(Payment.objects.filter(member=member).values())
    client.force_login(organisation_with_data["owner"])

    with django_capture_on_commit_callbacks(execute=True):
        response = close(client)

    assert response.status_code == 200
    assert "est fermé" in text(response)
    member.refresh_from_db()
    # What is gone.
    assert member.name == "Compte fermé"
    assert member.acronym == member.email == member.street == member.city == ""
    assert member.annual_budget is None and not member.directory_opt_in
    assert not Correspondent.objects.filter(member=member).exists()
    assert not member.accesses.exists()
    assert not KnownPayerAccount.objects.filter(member=member).exists()
    users = get_user_model().objects
    assert not users.filter(email__in=["presidente@adq.example.org", "benevole@adq.example.org"])
    assert member not in Member.objects.in_directory()
    # What is kept.
    assert member.reference.startswith("CAC-") and member.closed_at and member.erased_at
    assert str(member.pledges.get().amount) == "100.00"
    assert list(Payment.objects.filter(member=member).values()) == payments_before
    assert list(Receipt.objects.filter(member=member).values()) == receipts_before
    # The treasurer still downloads the receipts.
    client.force_login(treasurer_user)
    for receipt in Receipt.objects.filter(member=member):
        assert client.get(receipt.get_absolute_url()).status_code == 200
    # Recorded, and confirmed to the addresses it had.
    entry = AuditEntry.objects.get(action=AuditEntry.Action.MEMBER_CLOSED)
    assert entry.target == member and entry.after["correspondants"] == 2
    assert set(mailoutbox[-1].to) == {
        "contact@adq.example.org",
        "presidente@adq.example.org",
        "benevole@adq.example.org",
    }
    assert "L102 E" in mailoutbox[-1].body


def test_after_closing_one_cannot_log_in_again(client, member_user):
    client.force_login(member_user)
    assert close(client).status_code == 200
    assert not client.login(username="adherente@example.org", password=PASSWORD)
    response = client.post(
        "/accounts/login/", {"login": "adherente@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get("/compte/").status_code == 302


def test_a_person_with_simple_access_cannot_close_the_organisation(client, organisation_with_data):
    client.force_login(organisation_with_data["helper"])
    assert client.get("/compte/fermer/").status_code == 404
    assert close(client).status_code == 404
    assert organisation_with_data["member"].accesses.count() == 2


def test_nobody_reaches_another_members_closure(client, member_user, stranger_user):
    client.force_login(stranger_user)
    assert close(client).status_code == 200
    assert member_of(member_user).erased_at is None


def test_a_login_reaching_another_member_stays(client, member_user, organisation_with_data):
    from members.models import Access

    member = organisation_with_data["member"]
    Access.objects.create(member=member, user=member_user, role=Access.Role.OWNER)
    client.force_login(member_user)
    client.post("/compte/membre/", {"member": member.reference})
    assert close(client).status_code == 200
    member.refresh_from_db()
    assert member.erased_at is not None
    assert get_user_model().objects.filter(pk=member_user.pk).exists()
    assert member_of(member_user).erased_at is None


def test_staff_close_on_a_written_request_with_the_reason(
    client, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    member = IndividualFactory(last_name="Papier", email="papier@example.org")
    PledgeFactory(member=member, proposal={"kind": "individual", "email": "papier@example.org"})
    PaymentFactory(member=member, drawer="Jeanne Papier")
    client.force_login(staff_user)
    page = client.post(f"/gestion/membres/{member.reference}/fermer/", {"reason": ""})
    assert page.status_code == 400
    assert "Ce champ est obligatoire." in text(page)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/gestion/membres/{member.reference}/fermer/",
            {"reason": "Lettre du 3 novembre 2026"},
        )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.last_name == "Compte fermé" and member.email == ""
    assert member.pledges.get().proposal == {}
    assert member.payments.get().drawer == "Jeanne Papier"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.MEMBER_CLOSED)
    assert entry.actor == staff_user and entry.note == "Lettre du 3 novembre 2026"
    assert mailoutbox[-1].to == ["papier@example.org"]
    listing = text(client.get("/gestion/membres/"))
    assert "Compte fermé" in listing and "compte fermé" in listing
    assert "papier@example.org" not in listing and "Papier" not in listing


def test_closed_members_are_not_found_by_their_old_address(client, cac, member_user):
    from dues.services.pledges import find_member

    client.force_login(member_user)
    close(client)
    assert find_member("adherente@example.org", "individual") is None


def test_a_closed_member_is_offered_as_a_duplicate_to_nobody(client, staff_user):
    from members.duplicates import likely_duplicates

    data = {"last_name": "Papier", "first_name": "Jeanne", "email": "papier@example.org"}
    member = IndividualFactory(last_name="Papier", first_name="Jeanne", email=data["email"])
    assert [c.member for c in likely_duplicates("individual", data)] == [member]
    client.force_login(staff_user)
    client.post(f"/gestion/membres/{member.reference}/fermer/", {"reason": "Lettre"})
    assert list(likely_duplicates("individual", data)) == []
    assert list(likely_duplicates("individual", {"last_name": "Compte fermé"})) == []


def test_a_closed_member_gets_no_blank_fiscal_receipt_in_january(cac):
    """A closed record has no name or address left: the January batch issues it no summary
    with "Compte fermé" as donor, and an organisation's late payment gets no blank receipt."""
    person = IndividualFactory()
    pay(person, "40", on=datetime.date(LAST_YEAR, 5, 2))
    organisation = OrganisationFactory()
    close_member(person, actor=None)
    close_member(organisation, actor=None)
    receipt, _ = issue_annual_receipt(person.pk, LAST_YEAR, actor=None)
    assert receipt is None
    assert issue_organisation_receipt(pay(organisation, "100").pk, actor=None) is None
    assert not Receipt.objects.exists()
