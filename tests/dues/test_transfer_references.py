"""Every pledge has an ISO 11649 creditor reference built from the member reference and the
year; the confirmation page, its email and the member space give the bank details with it."""

import pytest
from django.core import mail
from django.urls import reverse
from stdnum import iso11649

from dues.campaign import current_year
from dues.references import (
    creditor_reference,
    find_creditor_references,
    find_member_references,
    format_reference,
    read_creditor_reference,
)
from dues.services.bank_details import update_bank_details
from members.models import Member
from tests import clock
from tests.factories import IndividualFactory, PaymentFactory, PledgeFactory
from tests.helpers import individual_post, member_of, subscribed, text

pytestmark = pytest.mark.django_db
YEAR = clock.YEAR

IBAN = "FR7642559100000800123456771"


@pytest.fixture
def bank(cac):
    update_bank_details(
        holder="COLLECTIF DES ASSOCIATIONS CITOYENNES", iban=IBAN, bic="CCOPFRPPXXX", actor=None
    )


def test_the_reference_is_valid_iso_11649_and_reads_back_to_member_and_year(cac):
    for pk in (1, 123, 999999, 1234567):
        member = IndividualFactory()
        Member.objects.filter(pk=member.pk).update(reference=f"CAC-{pk:06d}")
        member.refresh_from_db()
        pledge = PledgeFactory(member=member, year=YEAR)
        reference = creditor_reference(pledge)
        assert iso11649.is_valid(reference)
        assert len(reference) <= 25
        parsed = read_creditor_reference(reference)
        assert (parsed.member_reference, parsed.year) == (member.reference, YEAR)


def test_two_years_of_one_member_have_two_references(cac):
    member = IndividualFactory()
    this_year = creditor_reference(PledgeFactory(member=member, year=YEAR))
    next_year = creditor_reference(PledgeFactory(member=member, year=YEAR + 1))
    assert this_year != next_year
    assert read_creditor_reference(next_year).year == YEAR + 1


def test_a_reference_is_found_in_a_label_whatever_its_spacing_and_case(cac):
    pledge = PledgeFactory(year=YEAR)
    reference = creditor_reference(pledge)
    grouped = format_reference(reference)
    for label in (
        f"VIR SEPA M DUPONT {grouped} COTISATION",
        f"vir inst {grouped.lower()}",
        f"/ROC/{reference}/",
        f"REF {reference[:9]} {reference[9:]} ADHESION",
        f"{reference}COTISATION",
    ):
        found = find_creditor_references(label)
        assert [(f.member_reference, f.year) for f in found] == [(pledge.member.reference, YEAR)], (
            label
        )


def test_a_mistyped_reference_is_not_taken_for_one(cac):
    reference = creditor_reference(PledgeFactory(year=YEAR))
    typo = reference[:-1] + ("7" if reference[-1] != "7" else "8")
    assert find_creditor_references(f"VIR {typo}") == []
    assert read_creditor_reference(typo) is None
    assert read_creditor_reference("RF18539007547034") is None  # valid, but not ours


def test_member_references_are_found_in_their_usual_spellings():
    label = "ADHESION cac 123 + CAC-000124 ; Cac_125 ; CAC000126 ; MACAC127 ; CAC 1234567"
    assert find_member_references(label) == [
        "CAC-000123",
        "CAC-000124",
        "CAC-000125",
        "CAC-000126",
        "CAC-1234567",
    ]


def test_the_confirmation_page_gives_the_transfer_details_beside_the_cheque(client, bank):
    client.post(reverse("dues:adhesion"), individual_post())
    page = text(client.get(reverse("dues:adhesion_done")))
    pledge = Member.objects.get().pledges.get()
    assert "Pour régler par chèque" in page
    assert "Pour régler par virement" in page
    assert "FR76 4255 9100 0008 0012 3456 771" in page
    assert "CCOPFRPPXXX" in page
    assert "COLLECTIF DES ASSOCIATIONS CITOYENNES" in page
    assert format_reference(creditor_reference(pledge)) in page


@pytest.mark.django_db(transaction=True)
def test_the_confirmation_email_gives_them_too_in_text_and_html(client, bank):
    client.post(reverse("dues:adhesion"), individual_post())
    pledge = Member.objects.get().pledges.get()
    grouped = format_reference(creditor_reference(pledge))
    message = mail.outbox[0]
    assert "Pour régler par virement :" in message.body
    assert "- IBAN : FR76 4255 9100 0008 0012 3456 771" in message.body
    assert f"- Référence du virement : {grouped}" in message.body
    assert "- BIC : CCOPFRPPXXX" in message.body
    html = message.alternatives[0][0]
    assert grouped in html and "FR76 4255 9100 0008 0012 3456 771" in html


def test_without_an_iban_only_the_cheque_is_explained(client, cac):
    client.post(reverse("dues:adhesion"), individual_post())
    page = text(client.get(reverse("dues:adhesion_done")))
    assert "Pour régler par chèque" in page
    assert "virement" not in page


def test_the_member_space_gives_the_reference_of_each_pledge_still_to_pay(
    client, member_user, bank
):
    member = member_of(member_user)
    subscribed(member)
    to_pay = PledgeFactory(member=member, year=current_year(), purpose="donation")
    paid = PledgeFactory(member=member, year=current_year())
    PaymentFactory(member=member, pledge=paid, year=current_year())
    client.force_login(member_user)
    page = text(client.get(reverse("dues:account")))
    assert format_reference(creditor_reference(to_pay)) in page
    assert format_reference(creditor_reference(paid)) == format_reference(
        creditor_reference(to_pay)
    )  # same member and year: one reference
    assert page.count("Pour régler par virement") == 1
    assert "FR76 4255 9100 0008 0012 3456 771" in page


def test_a_pledge_waiting_to_be_attached_carries_its_own_reference_not_the_members(cac):
    from dues.models import Pledge
    from dues.references import creditor_reference, read_creditor_reference

    known = IndividualFactory(email="connue@example.org")
    waiting = Pledge.objects.create(
        member=None,
        matched_member=known,
        proposal={"kind": known.kind, "member": {"last_name": "Inconnue"}},
        year=YEAR,
        purpose="adhesion",
        amount=50,
    )
    rf = creditor_reference(waiting)
    assert known.reference.replace("-", "") not in rf, "it reveals no member"
    read = read_creditor_reference(rf)
    assert (read.member_reference, read.pledge_reference, read.year) == (
        None,
        waiting.reference,
        YEAR,
    )
