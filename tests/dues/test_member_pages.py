"""The staff's pages about members: a new member typed at the desk (after the duplicates
check), a member's record, and the merge page sent twice."""

import pytest
from django.urls import reverse

from members.models import AuditEntry, Member
from tests.factories import IndividualFactory
from tests.helpers import submission_key, text

pytestmark = pytest.mark.django_db
URL = reverse("dues:member_new")


def person(**overrides):
    return {
        "kind": "individual",
        "ind-last_name": "Jaures",
        "ind-first_name": "Jean",
        "ind-street": "1 rue de la Paix",
        "ind-postal_code": "81000",
        "ind-city": "Albi",
        "ind-country": "FR",
        **overrides,
    }


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_a_new_member_typed_by_staff(staff_client, staff_user):
    key = submission_key(staff_client.get(URL))
    response = staff_client.post(URL, person(submission_key=key))
    member = Member.objects.get()
    assert response["Location"] == reverse("dues:member_detail", args=[member.reference])
    assert staff_client.post(URL, person(submission_key=key))["Location"] == response["Location"]
    assert Member.objects.count() == 1
    assert AuditEntry.objects.get(action="member.created").actor == staff_user


def test_a_likely_duplicate_is_shown_before_creating(staff_client, staff_user):
    known = IndividualFactory(last_name="Jaurès", first_name="Jean", postal_code="81000")
    page = text(staff_client.post(URL, person()))
    assert "Doublons probables" in page and known.reference in page
    assert 'value="Jaures"' in page
    assert Member.objects.count() == 1
    response = staff_client.post(URL, person(create_anyway="1"))
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="member.created_anyway")
    assert entry.after == {"candidates": [known.reference]}


def test_an_organisation_page_is_offered(staff_client):
    page = text(staff_client.get(URL, {"kind": "organisation"}))
    assert 'name="org-name"' in page and 'value="organisation"' in page


def test_the_members_record(staff_client):
    member = IndividualFactory(last_name="Jaurès", first_name="Jean")
    page = text(staff_client.get(reverse("dues:member_detail", args=[member.reference])))
    assert "Jean Jaurès" in page
    assert reverse("dues:merge") + f"?survivant={member.reference}" in page
    assert staff_client.get(reverse("dues:member_detail", args=["CAC-999999"])).status_code == 404


def test_the_merge_sent_twice_merges_once(staff_client):
    survivor = IndividualFactory(last_name="Jaurès", first_name="Jean")
    merged = IndividualFactory(last_name="Jaures", first_name="Jean")
    url = reverse("dues:merge")
    key = submission_key(
        staff_client.get(url, {"survivant": survivor.reference, "doublon": merged.reference})
    )
    data = {"submission_key": key, "survivor": survivor.reference, "merged": merged.reference}
    first = staff_client.post(url, data)
    second = staff_client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert AuditEntry.objects.filter(action="member.merged").count() == 1
