"""An organisation's space is open to several people: whoever claimed it and those it invites
by email. Each sees the organisation's status, pledges, payments and receipts and can renew;
an owner removes an access; one person switches between the members they can reach."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dues.campaign import current_year
from dues.models import Pledge, PledgeSource, RenewalCampaign
from dues.services import record_payment
from members.accesses import remove_access
from members.models import Access, AuditEntry, Invitation
from tests.factories import IndividualFactory, OrganisationFactory
from tests.helpers import submission_key, subscribed, text

pytestmark = pytest.mark.django_db
PASSWORD = "un mot de passe très long 42"


def signed_up(django_user_model, email):
    user = django_user_model.objects.create_user(username=email, email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


@pytest.fixture
def organisation(cac, django_user_model, django_capture_on_commit_callbacks):
    owner = signed_up(django_user_model, "presidente@example.org")
    member = subscribed(
        OrganisationFactory(name="Les Amis du Quartier", email="contact@adq.example.org")
    )
    Access.objects.create(member=member, user=owner, role=Access.Role.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        record_payment(
            member=member,
            amount="100",
            method="cheque",
            received_on=timezone.localdate(),
            year=timezone.localdate().year,
            cheque_number="5550001",
            bank="La Banque Postale",
            actor=None,
        )
    return member


@pytest.fixture
def owner(organisation):
    return organisation.accesses.get().user


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """The owner invites `email` from /compte/ (the email leaves once the invitation commits)."""

    def send(client, owner, email="tresorier@example.org"):
        client.force_login(owner)
        key = submission_key(client.get("/compte/"))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("members:invite"), {"email": email, "submission_key": key}
            )
        client.logout()
        return response

    return send


def invitation_path(message):
    found = re.search(re.escape(settings.SITE_URL) + r"(/compte/invitation/\S+/)", message.body)
    return found.group(1)


def test_an_owner_invites_by_email_with_a_link_valid_14_days(client, invite, organisation, owner):
    response = invite(client, owner)
    assert response.status_code == 302
    (message,) = [m for m in mail.outbox if m.to == ["tresorier@example.org"]]
    assert "Les Amis du Quartier" in message.subject
    assert "14 jours" in message.body
    invitation = Invitation.objects.get()
    assert (invitation.member, invitation.email, invitation.invited_by) == (
        organisation,
        "tresorier@example.org",
        owner,
    )
    assert AuditEntry.objects.filter(action="access.invited").exists()


def test_an_existing_account_accepts_and_sees_the_organisation(
    client, invite, organisation, owner, django_user_model
):
    invite(client, owner)
    path = invitation_path(mail.outbox[-1])
    treasurer = signed_up(django_user_model, "tresorier@example.org")
    client.force_login(treasurer)
    assert "Les Amis du Quartier" in text(client.get(path))
    response = client.post(path)
    assert response["Location"] == "/compte/"
    access = Access.objects.get(user=treasurer)
    assert (access.member, access.role, access.invited_by) == (organisation, "member", owner)
    page = text(client.get("/compte/"))
    receipt = organisation.receipts.get()
    assert "Les Amis du Quartier" in page and receipt.number in page
    assert client.get(receipt.get_absolute_url()).status_code == 200
    RenewalCampaign.objects.create(year=current_year() + 1, opens_on=timezone.localdate())
    client.post(reverse("dues:renew"), {"amount": "other", "other_amount": "50"})
    assert Pledge.objects.get(member=organisation).source == PledgeSource.RENEWAL


def test_a_new_account_signs_up_with_the_invited_address_and_accepts(
    client, invite, organisation, owner
):
    invite(client, owner)
    path = invitation_path(mail.outbox[-1])
    page = text(client.get(path))
    assert "Créer mon compte" in page and "Se connecter" in page
    response = client.post(
        f"/accounts/signup/?next={path}",
        {"email": "tresorier@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    # The invitation proved the address: no second verification email, straight back here.
    assert response.status_code == 302 and response["Location"] == path
    client.post(path)
    access = Access.objects.get(member=organisation, role="member")
    assert access.user.email == "tresorier@example.org"
    assert EmailAddress.objects.get(email="tresorier@example.org").verified


def test_the_link_expires_after_14_days_and_serves_once(
    client, invite, organisation, owner, django_user_model
):
    invite(client, owner)
    path = invitation_path(mail.outbox[-1])
    treasurer = signed_up(django_user_model, "tresorier@example.org")
    client.force_login(treasurer)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=15)):
        response = client.post(path)
        assert response.status_code == 400
        assert "n'est plus valable" in text(response)
    assert not Access.objects.filter(user=treasurer).exists()
    client.force_login(treasurer)  # the session expired with the fortnight
    assert client.post(path).status_code == 302
    assert Access.objects.filter(user=treasurer).exists()
    other = signed_up(django_user_model, "autre@example.org")
    second = Client()
    second.force_login(other)
    assert second.post(path).status_code == 400
    assert not Access.objects.filter(user=other).exists()


def test_an_owner_removes_an_access_and_the_link_cannot_bring_it_back(
    client, invite, organisation, owner, django_user_model
):
    invite(client, owner)
    path = invitation_path(mail.outbox[-1])
    treasurer = signed_up(django_user_model, "tresorier@example.org")
    client.force_login(treasurer)
    client.post(path)
    access = Access.objects.get(user=treasurer)
    receipt_url = organisation.receipts.get().get_absolute_url()
    owner_client = Client()
    owner_client.force_login(owner)
    response = owner_client.post(reverse("members:remove_access", args=[access.pk]))
    assert response.status_code == 302
    assert not Access.objects.filter(user=treasurer).exists()
    assert AuditEntry.objects.filter(action="access.removed").exists()
    assert client.get(receipt_url).status_code == 404
    assert "Les Amis du Quartier" not in text(client.get("/compte/"))
    assert client.post(path).status_code == 400
    assert not Access.objects.filter(user=treasurer).exists()


def test_only_an_owner_invites_or_removes(client, organisation, owner, django_user_model):
    helper = signed_up(django_user_model, "aide@example.org")
    Access.objects.create(member=organisation, user=helper, role=Access.Role.MEMBER)
    client.force_login(helper)
    assert client.post(reverse("members:invite"), {"email": "x@example.org"}).status_code == 403
    owner_access = Access.objects.get(user=owner)
    assert client.post(reverse("members:remove_access", args=[owner_access.pk])).status_code == 403
    assert Access.objects.filter(pk=owner_access.pk).exists()
    assert not Invitation.objects.exists()


def test_one_person_switches_between_their_members(client, organisation, django_user_model):
    person = signed_up(django_user_model, "lea@example.org")
    own = subscribed(IndividualFactory(first_name="Léa", last_name="Durand", email=person.email))
    Access.objects.create(member=own, user=person, role=Access.Role.OWNER)
    Access.objects.create(member=organisation, user=person, role=Access.Role.MEMBER)
    client.force_login(person)
    page = text(client.get("/compte/"))
    assert "Léa Durand" in page and "Les Amis du Quartier" in page  # the switcher
    response = client.post(reverse("members:switch_member"), {"member": organisation.reference})
    assert response["Location"] == "/compte/"
    page = text(client.get("/compte/"))
    assert organisation.receipts.get().number in page
    client.post(reverse("members:switch_member"), {"member": own.reference})
    assert organisation.receipts.get().number not in text(client.get("/compte/"))


def test_no_switch_to_a_member_without_access(client, organisation, member_user):
    client.force_login(member_user)
    client.post(reverse("members:switch_member"), {"member": organisation.reference})
    assert "Les Amis du Quartier" not in text(client.get("/compte/"))


def test_staff_add_and_remove_an_access_from_the_members_page(
    client, organisation, staff_user, django_user_model
):
    helper = signed_up(django_user_model, "aide@example.org")
    client.force_login(staff_user)
    url = reverse("dues:member_accesses", args=[organisation.reference])
    assert url in text(client.get(reverse("dues:member_detail", args=[organisation.reference])))
    page = text(client.get(url))
    assert "presidente@example.org" in page
    response = client.post(url, {"action": "add", "email": "AIDE@example.org", "role": "member"})
    assert response["Location"] == url
    access = Access.objects.get(user=helper)
    assert AuditEntry.objects.get(action="access.granted").actor == staff_user
    client.post(url, {"action": "remove", "access": access.pk})
    assert not Access.objects.filter(user=helper).exists()
    assert AuditEntry.objects.get(action="access.removed").actor == staff_user


def test_staff_invite_an_address_without_an_account(
    client, organisation, staff_user, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("dues:member_accesses", args=[organisation.reference]),
            {"action": "add", "email": "nouveau@example.org", "role": "member"},
        )
    assert Invitation.objects.get().email == "nouveau@example.org"
    assert any(m.to == ["nouveau@example.org"] for m in mail.outbox)


def test_an_organisation_payment_of_another_member_is_not_visible(
    client, organisation, member_user
):
    client.force_login(member_user)
    receipt = organisation.receipts.get()
    assert client.get(receipt.get_absolute_url()).status_code == 404
    assert receipt.number not in text(client.get("/compte/"))
    assert Decimal("100") == organisation.payments.get().amount


def test_the_last_owner_stays_while_others_have_access(
    client, organisation, owner, django_user_model
):
    helper = signed_up(django_user_model, "aide@example.org")
    Access.objects.create(member=organisation, user=helper, role=Access.Role.MEMBER)
    with pytest.raises(ValidationError):
        remove_access(Access.objects.get(user=owner), actor=None)
    assert Access.objects.filter(user=owner).exists()


def test_an_owner_cancels_an_invitation_and_its_link_serves_no_more(
    client, invite, organisation, owner, django_user_model
):
    invite(client, owner)
    path = invitation_path(mail.outbox[-1])
    client.force_login(owner)
    client.post(reverse("members:cancel_invitation", args=[Invitation.objects.get().pk]))
    assert AuditEntry.objects.filter(action="access.invitation_cancelled").exists()
    treasurer = signed_up(django_user_model, "tresorier@example.org")
    client.force_login(treasurer)
    assert client.post(path).status_code == 400
    assert not Access.objects.filter(user=treasurer).exists()


def test_a_bad_address_is_said_next_to_the_field_and_kept(client, organisation, owner):
    client.force_login(owner)
    response = client.post(reverse("members:invite"), {"email": "tresorier@"})
    assert response.status_code == 400
    page = text(response)
    assert "Saisissez une adresse e-mail valide." in page
    assert 'value="tresorier@"' in page
    assert not Invitation.objects.exists()
