"""The scale as the form uses it: the brackets' boundaries and the net cost after tax reduction."""

from decimal import Decimal

import pytest

from dues.campaign import current_year
from dues.models import Scale


@pytest.fixture
def scale(cac):
    return Scale.objects.get(year=current_year())


@pytest.mark.parametrize(
    ("budget", "amount"),
    [
        ("0", "20"),
        ("1999", "20"),
        ("1999.99", "20"),
        ("2000", "50"),
        ("19999", "50"),
        ("20000", "100"),
        ("199999", "100"),
        ("200000", "200"),
        ("999999", "200"),
        ("1000000", "500"),
        ("4999999", "500"),
        ("5000000", "1000"),
        ("900000000", "1000"),
    ],
)
def test_suggested_amount_at_every_bracket_boundary(scale, budget, amount):
    assert scale.suggested_amount(Decimal(budget)) == Decimal(amount)


@pytest.mark.parametrize(
    ("amount", "net"),
    [("10", "3"), ("50", "17"), ("100", "34"), ("35", "12"), ("20", "7"), ("1000", "340")],
)
def test_net_cost_after_the_66_percent_reduction(scale, amount, net):
    # 100 € costs 34 €, not the brochure's 33 €: 100 − 66 = 34 (see the closing note).
    assert scale.tax_reduction_rate == Decimal("0.66")
    assert scale.net_cost(Decimal(amount)) == Decimal(net)


def test_the_rate_comes_from_the_database(scale, client):
    scale.tax_reduction_rate = Decimal("0.50")
    scale.save()
    page = client.get("/adhesion/").content.decode()
    assert "50 € adhésion — ne coûte que 25\u00a0€" in page


def test_the_form_follows_an_edited_scale(scale, client):
    tier = scale.tiers.get(member_kind="individual", position=2)
    tier.label = "60 € adhésion de soutien"
    tier.amount = Decimal("60")
    tier.save()
    page = client.get("/adhesion/").content.decode()
    assert 'value="60.00"' in page
    assert "60 € adhésion de soutien" in page


def test_suggested_amount_shown_again_when_the_form_comes_back(client, cac):
    page = client.post(
        "/adhesion/",
        {
            "kind": "organisation",
            "purpose": "adhesion",
            "org-annual_budget": "25 000",
            "corr-TOTAL_FORMS": "1",
            "corr-INITIAL_FORMS": "0",
        },
    ).content.decode()
    assert "Montant indicatif pour votre budget : 100,00\u00a0€" in page
