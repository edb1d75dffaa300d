"""The paper form looks for the member before creating one: same email, same phone, same names
and postal code, same organisation (name or acronym) and postal code, accents and case aside.
Staff then use the member found, or create anyway (audited); nothing typed is lost between."""

import pytest
from django.urls import reverse
from django.utils import timezone

from dues.models import Payment, Pledge
from members.models import AuditEntry, Member
from tests.factories import IndividualFactory, OrganisationFactory
from tests.helpers import paper_post, text

pytestmark = pytest.mark.django_db
URL = reverse("dues:paper_form")


paper = paper_post


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_the_same_paper_form_twice_shows_the_member_already_entered(staff_client):
    assert staff_client.post(URL, paper()).status_code == 302
    first = Member.objects.get()
    response = staff_client.post(URL, paper(cheque_number="5550002"))
    assert response.status_code == 200
    page = text(response)
    assert "Doublons probables" in page
    assert first.reference in page
    assert "même nom, prénom et code postal" in page
    assert 'value="Aubrac"' in page and 'value="5550002"' in page  # nothing typed is lost
    assert Member.objects.count() == 1
    assert Payment.objects.count() == 1


def test_using_the_member_found_goes_on_with_that_member(staff_client):
    staff_client.post(URL, paper())
    first = Member.objects.get()
    response = staff_client.post(URL, paper(cheque_number="5550002", use_member=str(first.pk)))
    assert response.status_code == 302
    assert Member.objects.count() == 1
    assert Payment.objects.filter(member=first).count() == 2


def test_creating_anyway_is_audited_with_the_candidates(staff_client, staff_user):
    staff_client.post(URL, paper())
    first = Member.objects.get()
    response = staff_client.post(URL, paper(cheque_number="5550002", create_anyway="1"))
    assert response.status_code == 302
    second = Member.objects.exclude(pk=first.pk).get()
    entry = AuditEntry.objects.get(action="member.created_anyway")
    assert entry.object_id == str(second.pk)
    assert entry.after == {"candidates": [first.reference]}
    assert entry.actor == staff_user


@pytest.mark.parametrize(
    ("known", "typed", "reason"),
    [
        ({"email": "Lucie@Example.org"}, {"ind-email": "lucie@example.org"}, "même e-mail"),
        (
            {"phone_home": "+33140000000", "last_name": "Autre"},
            {"ind-phone_professional": "01 40 00 00 00"},
            "même téléphone",
        ),
        (
            {"last_name": "AUBRAC", "first_name": "Lucie", "postal_code": "75020"},
            {},
            "même nom, prénom et code postal",
        ),
        (
            {"last_name": "Jaurès", "first_name": "Jean", "postal_code": "81000"},
            {"ind-last_name": "jaures", "ind-first_name": "JEAN", "ind-postal_code": "81000"},
            "même nom, prénom et code postal",
        ),
    ],
)
def test_each_sign_of_a_duplicate_individual(staff_client, known, typed, reason):
    member = IndividualFactory(**{"email": "", "postal_code": "13001", **known})
    page = text(staff_client.post(URL, paper(**typed)))
    assert "Doublons probables" in page
    assert member.reference in page
    assert reason in page


@pytest.mark.parametrize(
    ("known", "typed"),
    [
        ({"name": "Société des Amis", "acronym": "SDA"}, {"org-name": "societe des amis"}),
        (
            {"name": "Autre nom", "acronym": "ÉCOLE"},
            {"org-name": "Nouveau", "org-acronym": "ecole"},
        ),
    ],
)
def test_an_organisation_by_name_or_acronym_and_postal_code(staff_client, known, typed):
    member = OrganisationFactory(postal_code="69001", email="", **known)
    data = paper(
        "organisation",
        amount="",
        **{
            "org-name": "Nom différent",
            "org-street": "1 rue X",
            "org-postal_code": "69001",
            "org-city": "Lyon",
            "org-annual_budget": "15000",
            "corr-0-name": "Anne Durand",
            **typed,
        },
    )
    page = text(staff_client.post(URL, data))
    assert "Doublons probables" in page
    assert member.reference in page


def test_another_postal_code_is_another_person(staff_client):
    IndividualFactory(last_name="Aubrac", first_name="Lucie", postal_code="13001", email="")
    assert staff_client.post(URL, paper()).status_code == 302
    assert Member.objects.count() == 2


def test_a_merged_member_is_not_offered(staff_client):
    survivor = IndividualFactory(last_name="Aubrac", first_name="Lucie", postal_code="75020")
    IndividualFactory(
        last_name="Aubrac",
        first_name="Lucie",
        postal_code="75020",
        merged_into=survivor,
        merged_at=timezone.now(),
        closed_at=timezone.now(),
    )
    page = text(staff_client.post(URL, paper()))
    assert survivor.reference in page
    assert page.count("Utiliser ce membre") == 1
    assert not Pledge.objects.exists()
