"""A member logs in with their email and password and renews for next year in one click."""

from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from charter.models import Charter, PrivacyNotice
from charter.services import accept_charter, accept_privacy_notice
from dues.campaign import current_year
from dues.models import Pledge, PledgeSource, RenewalCampaign
from tests.factories import OrganisationFactory, PaymentFactory, PledgeFactory

pytestmark = pytest.mark.browser

PASSWORD = "un mot de passe très long 42"


def test_a_member_logs_in_and_renews(page, cac, django_user_model):
    year = current_year()
    user = django_user_model.objects.create_user(
        username="asso@example.org", email="asso@example.org", password=PASSWORD
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    member = OrganisationFactory(
        email=user.email, name="Les Amis du Quartier", user=user, annual_budget=Decimal("500000")
    )
    accept_charter(member, Charter.objects.current(), actor=None)
    accept_privacy_notice(member, PrivacyNotice.objects.current(), actor=None)
    pledge = PledgeFactory(member=member, year=year, amount=Decimal("200"))
    RenewalCampaign.objects.create(year=year + 1, opens_on=timezone.localdate())
    PaymentFactory(member=member, pledge=pledge, year=year, amount=Decimal("200"))

    page.goto("/accounts/login/")
    page.get_by_label("Courriel").fill("asso@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url("**/compte/")
    assert page.get_by_role("heading", name="Mon espace membre").is_visible()
    assert f"{year} : à jour" in page.locator("ul.statuses").inner_text()

    page.get_by_role("link", name=f"Renouveler pour {year + 1}").click()
    page.wait_for_url("**/compte/renouveler/")
    assert page.locator('input[name="amount"][value="200.00"]').is_checked()
    page.get_by_role("button", name=f"Confirmer mon renouvellement pour {year + 1}").click()
    page.wait_for_url("**/adhesion/merci/")
    confirmation = page.locator("#confirmation").inner_text()
    assert member.reference in confirmation
    assert "Montant\n200,00\u00a0€" in confirmation
    assert f"pour {year + 1}" in confirmation
    renewal = Pledge.objects.get(member=member, year=year + 1)
    assert (renewal.amount, renewal.source) == (Decimal("200.00"), PledgeSource.RENEWAL)
