"""Staff find members whatever the accents and the case they type: "Jaures" finds "Jaurès",
"societe" finds "Société", in the desk's search, its JSON, the members list and the merge."""

import pytest
from django.urls import reverse

from dues.views.desk import find_members
from members.models import Member, fold
from tests.factories import IndividualFactory, OrganisationFactory
from tests.helpers import text

pytestmark = pytest.mark.django_db


def test_fold_drops_accents_and_case():
    assert fold("Société Générale d'ÉCOLE") == "societe generale d'ecole"
    assert fold("Straße Œuvre") == "strasse œuvre"


def test_the_search_column_follows_every_save(cac):
    member = IndividualFactory(last_name="Jaurès", first_name="Jean", city="Carmaux")
    assert "jaures" in member.search_text and "carmaux" in member.search_text
    member.city = "Castres"
    member.save(update_fields=["city"])
    assert "castres" in Member.objects.get(pk=member.pk).search_text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Jaures", "Jaurès"),
        ("JAURÈS jean", "Jaurès"),
        ("societe", "Société des Amis"),
        ("SOCIÉTÉ amis", "Société des Amis"),
        ("ecole", "Société des Amis"),
    ],
)
def test_the_desk_search_ignores_accents_and_case(cac, typed, expected):
    IndividualFactory(last_name="Jaurès", first_name="Jean")
    OrganisationFactory(name="Société des Amis", acronym="ÉCOLE")
    IndividualFactory(last_name="Martin", first_name="Paul")
    names = [m.last_name or m.name for m in find_members(typed)]
    assert names == [expected]


def test_a_phone_finds_its_member(cac):
    member = IndividualFactory(phone_mobile="+33612345678")
    assert list(find_members("+33612345678")) == [member]


def test_the_json_search_and_the_members_list(client, staff_user):
    IndividualFactory(last_name="Jaurès", first_name="Jean")
    client.force_login(staff_user)
    results = client.get(reverse("dues:member_search"), {"q": "jaures"}).json()["results"]
    assert [r["label"] for r in results] == ["Jean Jaurès"]
    page = text(client.get(reverse("dues:member_list"), {"q": "JAURES"}))
    assert "Jean Jaurès" in page
    page = text(client.get(reverse("dues:member_list"), {"q": "zola"}))
    assert "Jean Jaurès" not in page


def test_the_city_filter_ignores_accents(client, staff_user):
    IndividualFactory(last_name="Dupont", city="Orléans")
    client.force_login(staff_user)
    assert "Dupont" in text(client.get(reverse("dues:member_list"), {"city": "orleans"}))
