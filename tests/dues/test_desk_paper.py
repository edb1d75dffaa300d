"""The paper form: a posted adhesion form and its cheque, typed by staff in one transaction."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from charter.models import Acceptance, AcceptanceSource
from dues.models import Payment, Pledge, PledgeSource
from members.models import AuditEntry, Member, MemberKind
from tests import clock
from tests.factories import IndividualFactory, PaymentFactory
from tests.helpers import paper_post

pytestmark = pytest.mark.django_db
SIGNED = clock.days_ago(5)


def paper(kind="individual", **overrides):
    """The shared paper form, signed on SIGNED, with a mobile phone and the formset's counts."""
    extra = {"drawer": "", "ind-phone_mobile": "06 12 34 56 78", "corr-MIN_NUM_FORMS": "0"}
    extra["corr-MAX_NUM_FORMS"] = "20"
    days = (timezone.localdate() - SIGNED).days
    return paper_post(kind, signed_days_ago=days, **{**extra, **overrides})


def test_an_individual_paper_form_and_its_cheque(staff_client, staff_user):
    response = staff_client.post(reverse("dues:paper_form"), paper())
    assert response.status_code == 302, response.content.decode()[:3000]
    member = Member.objects.get(last_name="Aubrac")
    assert member.kind == MemberKind.INDIVIDUAL
    assert member.email == ""  # a paper form may come without an email
    assert member.phone_mobile == "+33612345678"  # the same rules as online
    pledge = Pledge.objects.get(member=member)
    assert (pledge.source, pledge.amount) == (PledgeSource.PAPER, Decimal("50.00"))
    acceptance = Acceptance.objects.get(member=member)
    assert acceptance.source == AcceptanceSource.PAPER
    assert timezone.localtime(acceptance.accepted_at).date() == SIGNED
    assert acceptance.recorded_by == staff_user
    payment = Payment.objects.get(member=member)
    assert (payment.pledge, payment.amount, payment.cheque_number, payment.drawer) == (
        pledge,
        Decimal("50.00"),
        "5550001",
        "Lucie Aubrac",
    )
    assert AuditEntry.objects.filter(action="member.created", actor=staff_user).exists()
    # The cheque is in the desk's recent entries, with its undo.
    desk = staff_client.get(reverse("dues:desk"))
    assert desk.context["recent"] == [payment]


def test_an_organisation_with_correspondents_pays_its_bracket(staff_client):
    data = paper(
        "organisation",
        amount="",
        **{
            "org-name": "Réseau des écoles",
            "org-acronym": "RDE",
            "org-street": "3 place de la République",
            "org-postal_code": "69001",
            "org-city": "Lyon",
            "org-annual_budget": "15000",
            "corr-0-name": "Anne Durand",
            "corr-0-function": "Présidente",
            "corr-1-name": "Marc Petit",
            "corr-1-email": "marc@example.org",
        },
    )
    response = staff_client.post(reverse("dues:paper_form"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    member = Member.objects.get(name="Réseau des écoles")
    assert [c.name for c in member.correspondents.all()] == ["Anne Durand", "Marc Petit"]
    # 15 000 € of budget: the 50 € bracket of the CAC's scale, for the pledge and the cheque.
    assert Pledge.objects.get(member=member).amount == Decimal("50.00")
    assert Payment.objects.get(member=member).amount == Decimal("50.00")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ind-postal_code": "7502"}, "code postal"),
        ({"charter_signed": ""}, "Sans souscription à la charte"),
        ({"cheque_number": ""}, "numéro du chèque"),
        ({"signed_on": "2999-01-01"}, "futur"),
    ],
)
def test_a_bad_paper_form_saves_nothing_and_keeps_what_was_typed(staff_client, overrides, message):
    response = staff_client.post(reverse("dues:paper_form"), paper(**overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'value="Aubrac"' in html
    assert not Member.objects.filter(last_name="Aubrac").exists()
    assert not Payment.objects.exists()


def test_an_organisation_needs_a_correspondent(staff_client):
    data = paper(
        "organisation",
        **{"org-name": "Sans Contact", "org-street": "1 rue X", "org-postal_code": "69001"},
        **{"org-city": "Lyon"},
    )
    response = staff_client.post(reverse("dues:paper_form"), data)
    assert response.status_code == 200
    assert "Indiquez au moins un correspondant" in response.content.decode()
    assert not Member.objects.filter(name="Sans Contact").exists()


def test_a_duplicate_cheque_rolls_the_whole_form_back(staff_client):
    known = IndividualFactory(first_name="Lucie", last_name="Aubrac", email="lucie@example.org")
    PaymentFactory(member=known, cheque_number="5550001", bank="Crédit Mutuel", amount=50)
    response = staff_client.post(
        reverse("dues:paper_form"), paper(**{"ind-email": "lucie@example.org"})
    )
    assert response.status_code == 200
    assert "déjà enregistré pour Lucie Aubrac" in response.content.decode()
    assert not Pledge.objects.exists()
    assert not Acceptance.objects.filter(member=known).exists()
    assert Payment.objects.count() == 1


def test_a_form_without_payment(staff_client):
    response = staff_client.post(
        reverse("dues:paper_form"), paper(method="none", cheque_number="", received_on="")
    )
    assert response.status_code == 302
    assert Pledge.objects.get().member.last_name == "Aubrac"
    assert not Payment.objects.exists()


def test_adding_a_correspondent_row_without_javascript(staff_client):
    response = staff_client.post(
        reverse("dues:paper_form"), paper("organisation", add_correspondent="1")
    )
    assert response.status_code == 200
    assert response.context["correspondents"].total_form_count() == 3
    assert "errorlist" not in response.content.decode()
