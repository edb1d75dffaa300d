"""A lapsed member opens the one-click renewal link of their reminder email (read from the
test's outbox), renews with another amount, reads how to pay; the link opened again shows the
pledge they made, not a second one."""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from charter.models import Charter
from charter.services import accept_charter
from dues.campaign import current_year
from dues.models import Pledge, PledgeSource, RenewalCampaign, Scale
from dues.services import campaigns, reminders
from tests.factories import IndividualFactory, PaymentFactory

pytestmark = pytest.mark.browser


def test_a_lapsed_member_renews_from_the_email(page, cac):
    year = current_year() + 1
    if not Scale.objects.filter(year=year).exists():
        campaigns.copy_scale(year, actor=None)
    RenewalCampaign.objects.create(year=year, opens_on=timezone.localdate())
    member = IndividualFactory(first_name="Lucie", last_name="Aubrac")
    accept_charter(member, Charter.objects.current(), actor=None)
    PaymentFactory(
        member=member,
        year=year - 1,
        amount=Decimal("50"),
        received_on=timezone.localdate() - datetime.timedelta(days=200),
    )
    reminders.send_reminders()
    (email,) = mail.outbox
    link = re.search(r"https?://\S+/renouveler/\S+/", email.body).group(0)
    path = link.removeprefix(settings.SITE_URL)

    page.goto(path)
    assert page.get_by_role("heading", name=f"Renouveler votre adhésion pour {year}").is_visible()
    assert "Lucie Aubrac" in page.locator("main").inner_text()
    assert page.locator('input[name="amount"][value="50.00"]').is_checked()
    page.get_by_label("Autre montant", exact=True).check()
    page.get_by_label("Autre montant (€)").fill("80")
    page.get_by_role("button", name=f"Confirmer mon renouvellement pour {year}").click()
    page.wait_for_url(f"**{path}")
    confirmation = page.locator("#confirmation").inner_text()
    assert "80,00\u00a0€" in confirmation
    assert member.reference in confirmation
    assert "Pour régler par chèque" in confirmation
    pledge = Pledge.objects.get(member=member, year=year)
    assert (pledge.amount, pledge.source) == (Decimal("80.00"), PledgeSource.RENEWAL)

    page.goto(path)  # the link clicked again, in the email
    assert "Votre renouvellement est enregistré" in page.locator("#confirmation").inner_text()
    assert page.get_by_role("button", name=f"Confirmer mon renouvellement pour {year}").count() == 0
    assert Pledge.objects.filter(member=member, year=year).count() == 1
