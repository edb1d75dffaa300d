"""`load_cac_defaults` loads the CAC as the brochure describes it, and only once."""

import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from charter.models import Charter, Collective, Principle, PrivacyNotice
from dues.models import Scale, Tier
from members.models import MemberKind

BROCHURE = Path(__file__).resolve().parents[1] / "data" / "brochure_2018.txt"


def flat(text):
    """The brochure's text with the PDF's line breaks and hyphenations undone."""
    return re.sub(r"\s+", " ", text).strip()


def snapshot():
    return {
        "collective": list(Collective.objects.values()),
        "charters": list(Charter.objects.values()),
        "principles": list(Principle.objects.values()),
        "notices": list(PrivacyNotice.objects.values()),
        "scales": list(Scale.objects.values()),
        "tiers": list(Tier.objects.values()),
        "groups": {
            g.name: sorted(g.permissions.values_list("codename", flat=True))
            for g in Group.objects.all()
        },
    }


@pytest.mark.django_db
def test_running_twice_changes_nothing():
    call_command("load_cac_defaults", stdout=StringIO())
    first = snapshot()
    out = StringIO()
    call_command("load_cac_defaults", stdout=out)
    assert snapshot() == first
    assert "nothing to do" in out.getvalue()


@pytest.mark.django_db
def test_an_administrators_edits_survive_a_second_run():
    call_command("load_cac_defaults", stdout=StringIO())
    Collective.objects.update(signatory_name="Nouvelle Présidente")
    Tier.objects.filter(amount=Decimal("50"), member_kind=MemberKind.INDIVIDUAL).update(
        amount=Decimal("55")
    )
    call_command("load_cac_defaults", stdout=StringIO())
    assert Collective.load().signatory_name == "Nouvelle Présidente"
    assert Tier.objects.filter(amount=Decimal("55")).count() == 2


@pytest.mark.django_db
def test_identity_of_the_cac():
    call_command("load_cac_defaults", stdout=StringIO())
    collective = Collective.load()
    assert collective.name == "Collectif des Associations Citoyennes"
    assert collective.acronym == "CAC"
    assert (collective.street, collective.postal_code, collective.city) == (
        "108 rue St-Maur",
        "75011",
        "Paris",
    )
    assert collective.cheque_payee == "Collectif des Associations Citoyennes"
    assert collective.cheque_payee_short == "CAC"


@pytest.mark.django_db
def test_the_2018_charter_is_copied_word_for_word_from_the_brochure():
    call_command("load_cac_defaults", stdout=StringIO())
    brochure = flat(BROCHURE.read_text())
    charter = Charter.objects.current()
    headings = [p.heading for p in charter.principles.all()]
    assert headings == [
        "Respecter", "Assurer", "Promouvoir", "Considérer", "Concevoir",
        "Répondre", "Permettre", "Maintenir", "Chercher", "Préserver",
    ]  # fmt: skip
    for principle in charter.principles.all():
        assert flat(principle.text) in brochure, principle.heading
    assert charter.preamble.startswith("Les associations citoyennes travaillent")
    assert flat(charter.preamble) in brochure
    assert charter.closing.startswith("Cette Charte constitue le ciment")
    assert flat(charter.closing) in brochure


@pytest.mark.django_db
def test_scales_of_this_year_and_the_next_follow_the_brochure():
    call_command("load_cac_defaults", stdout=StringIO())
    year = timezone.localdate().year
    assert sorted(Scale.objects.values_list("year", flat=True)) == [year, year + 1]
    for scale in Scale.objects.all():
        assert scale.tax_reduction_rate == Decimal("0.66")
        individual = scale.tiers.filter(member_kind=MemberKind.INDIVIDUAL).values_list(
            "amount", flat=True
        )
        assert sorted(individual) == [Decimal("10"), Decimal("50"), Decimal("100")]
        organisation = list(
            scale.tiers.filter(member_kind=MemberKind.ORGANISATION)
            .order_by("position")
            .values_list("budget_ceiling", "amount")
        )
        assert organisation == [
            (Decimal("2000"), Decimal("20")),
            (Decimal("20000"), Decimal("50")),
            (Decimal("200000"), Decimal("100")),
            (Decimal("1000000"), Decimal("200")),
            (Decimal("5000000"), Decimal("500")),
            (None, Decimal("1000")),
        ]


@pytest.mark.django_db
def test_privacy_notice_and_groups():
    call_command("load_cac_defaults", stdout=StringIO())
    notice = PrivacyNotice.objects.current()
    for topic in (
        "Ce que nous gardons",
        "Pourquoi",
        "Combien de temps",
        "Qui les voit",
        "Vos droits",
    ):
        assert topic in notice.body
    staff = set(Group.objects.get(name="staff").permissions.values_list("codename", flat=True))
    treasurer = set(
        Group.objects.get(name="treasurer").permissions.values_list("codename", flat=True)
    )
    assert {"use_desk", "view_payment", "add_member", "view_depositslip"} <= staff
    assert "use_treasury" not in staff
    assert staff < treasurer
    assert {"use_treasury", "view_receipt", "view_annualbatch"} <= treasurer


MONEY_WRITES = {
    "dues.add_payment",
    "dues.change_payment",
    "dues.delete_payment",
    "dues.add_depositslip",
    "dues.change_depositslip",
    "dues.delete_depositslip",
    "receipts.add_receipt",
    "receipts.change_receipt",
    "receipts.delete_receipt",
    "receipts.add_receiptline",
    "receipts.change_receiptline",
    "receipts.add_annualbatch",
    "receipts.change_annualbatch",
}


def codes(group):
    return {
        f"{app}.{code}"
        for app, code in group.permissions.values_list("content_type__app_label", "codename")
    }


@pytest.mark.django_db
def test_a_new_deploy_takes_the_money_writes_away_from_the_groups():
    """An install whose groups were given the old lists (and more) by an earlier release or by
    hand: the next `load_cac_defaults`, run at each deploy, sets each group to exactly its list."""
    from django.contrib.auth.models import Permission

    from cac_portal import groups

    call_command("load_cac_defaults", stdout=StringIO())
    old = Permission.objects.filter(
        content_type__app_label__in=["dues", "receipts"],
        codename__in=[code.split(".")[1] for code in MONEY_WRITES],
    )
    for name in (groups.STAFF, groups.TREASURER):
        Group.objects.get(name=name).permissions.add(*old)

    call_command("load_cac_defaults", stdout=StringIO())

    staff = Group.objects.get(name=groups.STAFF)
    treasurer = Group.objects.get(name=groups.TREASURER)
    assert codes(staff) == set(groups.STAFF_PERMISSIONS)
    assert codes(treasurer) == set(groups.TREASURER_PERMISSIONS)
    assert not (codes(staff) | codes(treasurer)) & MONEY_WRITES
