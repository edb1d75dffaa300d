"""Two records of one member become one: everything moves to the survivor, the other is marked
merged into it (its reference leads there), the receipts stay as they were issued."""

import datetime
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from charter.models import Acceptance, Charter, PrivacyAcceptance, PrivacyNotice
from charter.services import accept_charter, accept_privacy_notice
from dues.models import Payment, Pledge
from dues.views.desk import find_members
from members.merging import MergeRefused, merge_members
from members.models import Access, AuditEntry, Member
from receipts.models import Receipt, private_storage
from receipts.services import ensure_pdf, issue_annual_receipt
from tests.factories import (
    CorrespondentFactory,
    IndividualFactory,
    OrganisationFactory,
    PledgeFactory,
)
from tests.helpers import LAST_YEAR, pay, submission_key, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins(cac):
    survivor = IndividualFactory(
        first_name="Lucie", last_name="Aubrac", email="lucie@example.org", phone_mobile=""
    )
    merged = IndividualFactory(
        first_name="Lucie",
        last_name="Aubrac",
        email="",
        phone_mobile="+33612345678",
        street="9 rue Neuve",
    )
    return survivor, merged


def receipt_rows():
    return {
        r.pk: {**model_to_dict(r, exclude=["member", "pdf"]), "pdf": r.pdf.name}
        for r in Receipt.objects.all()
    }


def pdf_bytes():
    """The stored files as they are (not re-rendered: the bytes on disk)."""
    files = {}
    for receipt in Receipt.objects.all():
        with private_storage().open(receipt.pdf.name, "rb") as handle:
            files[receipt.pk] = handle.read()
    return files


def test_everything_moves_to_the_survivor_and_receipts_stay_byte_for_byte(twins, staff_user):
    survivor, merged = twins
    pay(merged, "40", year=LAST_YEAR - 1)
    pay(survivor, "60", year=LAST_YEAR)
    for member, year in ((merged, LAST_YEAR - 1), (survivor, LAST_YEAR)):
        ensure_pdf(issue_annual_receipt(member.pk, year, actor=None)[0])
    pledge = PledgeFactory(member=merged)
    rows, files = receipt_rows(), pdf_bytes()
    merge_members(
        survivor=survivor, merged=merged, fields_from_merged={"phone_mobile"}, actor=staff_user
    )
    survivor.refresh_from_db()
    merged.refresh_from_db()
    assert survivor.phone_mobile == "+33612345678"
    assert survivor.street == "12 rue des Lilas"  # the survivor's own, unless chosen
    assert (merged.merged_into, merged.merged_at is not None) == (survivor, True)
    assert merged.closed_at is not None
    assert Payment.objects.filter(member=survivor).count() == 2
    assert Pledge.objects.get(pk=pledge.pk).member == survivor
    assert set(Receipt.objects.values_list("member", flat=True)) == {survivor.pk}
    assert receipt_rows() == rows
    assert pdf_bytes() == files
    assert Receipt.objects.get(fiscal_year=LAST_YEAR - 1).donor_name == "Lucie Aubrac"
    entry = AuditEntry.objects.get(action="member.merged")
    assert entry.object_id == str(survivor.pk)
    assert entry.before["survivor"]["phone_mobile"] == ""
    assert entry.before["merged"]["reference"] == merged.reference
    assert entry.before["merged"]["street"] == "9 rue Neuve"
    assert entry.actor == staff_user


def test_refused_when_both_have_a_summary_of_the_same_year(twins):
    survivor, merged = twins
    pay(survivor, "50")
    pay(merged, "30")
    issue_annual_receipt(survivor.pk, LAST_YEAR, actor=None)
    issue_annual_receipt(merged.pk, LAST_YEAR, actor=None)
    with pytest.raises(MergeRefused) as refused:
        merge_members(survivor=survivor, merged=merged, actor=None)
    assert f"récapitulatif annuel {LAST_YEAR}" in " ".join(refused.value.messages)
    merged.refresh_from_db()
    assert merged.merged_into is None
    assert Payment.objects.filter(member=merged).count() == 1


def test_acceptances_once_per_version_keeping_the_earliest(twins):
    survivor, merged = twins
    charter, notice = Charter.objects.current(), PrivacyNotice.objects.current()
    early = timezone.now() - datetime.timedelta(days=400)
    accept_charter(merged, charter, accepted_at=early, actor=None)
    accept_charter(survivor, charter, actor=None)
    accept_privacy_notice(merged, notice, actor=None)
    merge_members(survivor=survivor, merged=merged, actor=None)
    acceptance = Acceptance.objects.get()
    assert (acceptance.member, acceptance.accepted_at) == (survivor, early)
    assert PrivacyAcceptance.objects.get().member == survivor


def test_correspondents_and_accesses_move_without_doubles(cac, django_user_model):
    survivor = OrganisationFactory(name="Les Amis")
    merged = OrganisationFactory(name="Les Amis du Quartier")
    CorrespondentFactory(member=survivor, name="Paul Martin", email="paul@example.org")
    CorrespondentFactory(member=merged, name="PAUL MARTIN", email="")
    CorrespondentFactory(member=merged, name="Inès Roy", email="ines@example.org")
    both = django_user_model.objects.create_user(username="both", email="both@example.org")
    only = django_user_model.objects.create_user(username="only", email="only@example.org")
    Access.objects.create(member=survivor, user=both, role=Access.Role.MEMBER)
    Access.objects.create(member=merged, user=both, role=Access.Role.OWNER)
    Access.objects.create(member=merged, user=only, role=Access.Role.MEMBER)
    merge_members(survivor=survivor, merged=merged, actor=None)
    assert [c.name for c in survivor.correspondents.all()] == ["Paul Martin", "Inès Roy"]
    assert not merged.correspondents.exists()
    accesses = {(a.user.username, a.role) for a in Access.objects.filter(member=survivor)}
    assert accesses == {("both", "owner"), ("only", "member")}


def test_a_member_is_not_merged_into_itself_nor_into_another_kind(twins):
    survivor, _ = twins
    with pytest.raises(MergeRefused):
        merge_members(survivor=survivor, merged=survivor, actor=None)
    with pytest.raises(MergeRefused):
        merge_members(survivor=survivor, merged=OrganisationFactory(), actor=None)


def test_the_merged_reference_leads_to_the_survivor(twins, client, staff_user):
    survivor, merged = twins
    merge_members(survivor=survivor, merged=merged, actor=None)
    assert list(find_members(merged.reference)) == [survivor]
    assert list(find_members("Aubrac")) == [survivor]
    client.force_login(staff_user)
    results = client.get(reverse("dues:member_search"), {"q": merged.reference}).json()
    assert [r["reference"] for r in results["results"]] == [survivor.reference]
    assert (
        f"{merged.reference} → fusionné dans {survivor.reference}"
        in results["results"][0]["detail"]
    )
    listing = text(client.get(reverse("dues:member_list")))
    assert merged.reference not in listing


def test_the_merge_page_side_by_side_then_merged(twins, client, staff_user, treasurer_user):
    survivor, merged = twins
    pay(merged, "40")
    client.force_login(treasurer_user)
    url = reverse("dues:merge")
    page = text(client.get(url, {"survivant": survivor.reference, "doublon": "+33612345678"}))
    assert survivor.reference in page and merged.reference in page
    assert "9 rue Neuve" in page and "lucie@example.org" in page
    key = submission_key(
        client.get(url, {"survivant": survivor.reference, "doublon": merged.reference})
    )
    response = client.post(
        url,
        {
            "submission_key": key,
            "survivor": survivor.reference,
            "merged": merged.reference,
            "field_phone_mobile": "merged",
            "field_street": "survivor",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dues:member_detail", args=[survivor.reference])
    survivor.refresh_from_db()
    assert survivor.phone_mobile == "+33612345678"
    assert Payment.objects.get().member == survivor
    page = text(client.get(response["Location"]))
    assert f"{merged.reference}" in page


def test_the_merge_page_says_why_it_is_refused(twins, client, staff_user):
    survivor, merged = twins
    pay(survivor, "50")
    pay(merged, "30")
    issue_annual_receipt(survivor.pk, LAST_YEAR, actor=None)
    issue_annual_receipt(merged.pk, LAST_YEAR, actor=None)
    client.force_login(staff_user)
    url = reverse("dues:merge")
    page = text(client.get(url, {"survivant": survivor.reference, "doublon": merged.reference}))
    assert f"récapitulatif annuel {LAST_YEAR}" in page
    response = client.post(url, {"survivor": survivor.reference, "merged": merged.reference})
    assert response.status_code == 400
    assert f"récapitulatif annuel {LAST_YEAR}" in text(response)
    assert Member.objects.get(pk=merged.pk).merged_into is None
    assert Payment.objects.filter(member=merged, amount=Decimal("30")).exists()
