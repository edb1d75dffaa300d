"""Renewal reminders: who gets one, on which day, once; their email in the member's language,
with its one-click links and RFC 8058 headers; what a crash or a down mail server leaves."""

import datetime
import io
import smtplib
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation

from cac_portal.celery import app as celery_app
from dues.models import Pledge, Reminder, ReminderEmail, Scale
from dues.services import reminders
from members.models import Access, Member
from tests.dues.renewal_fixtures import (
    OPENS,
    STEP_DAYS,
    YEAR,
    at,
    campaign,
    lapsed,
    lapsed_organisation,
    opening_day,  # noqa: F401 (a fixture)
)
from tests.factories import PaymentFactory, PledgeFactory
from tests.helpers import individual_post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("opening_day")]

SEND = "dues.tasks.send_renewal_reminders"


def run(day, hour=9):
    """The daily task as beat starts it, on `day`."""
    with time_machine.travel(at(day, hour), tick=False):
        return celery_app.tasks[SEND].delay().get()


def due(day):
    return {d.member.pk for d in reminders.decisions(campaign_of_year(), day)}


def campaign_of_year():
    from dues.models import RenewalCampaign

    return RenewalCampaign.objects.get(year=YEAR)


# Who gets one


def test_members_up_to_date_last_year_get_one(cac):
    campaign()
    member = lapsed()
    assert due(OPENS) == {member.pk}


@pytest.mark.parametrize(
    "exclusion",
    [
        "paid_two_years_ago_only",
        "paid_this_campaign",
        "pledged_this_campaign",
        "pledge_waiting_with_their_address",
        "rejected_payment_last_year",
        "no_email",
        "closed",
        "merged",
        "unsubscribed",
    ],
)
def test_each_exclusion(cac, exclusion):
    campaign()
    kept = lapsed()
    member = lapsed(year=YEAR - 2) if exclusion == "paid_two_years_ago_only" else lapsed()
    now = timezone.now()
    if exclusion == "paid_this_campaign":
        PaymentFactory(member=member, year=YEAR, received_on=OPENS - datetime.timedelta(days=29))
    elif exclusion == "pledged_this_campaign":
        PledgeFactory(member=member, year=YEAR)
    elif exclusion == "pledge_waiting_with_their_address":
        Pledge.objects.create(
            member=None,
            matched_member=member,
            proposal={"kind": member.kind},
            year=YEAR,
            purpose="adhesion",
            amount=50,
        )
    elif exclusion == "rejected_payment_last_year":
        member.payments.update(status="rejected", status_reason="Sans provision")
    elif exclusion == "no_email":
        Member.objects.filter(pk=member.pk).update(email="")
    elif exclusion == "closed":
        Member.objects.filter(pk=member.pk).update(closed_at=now)
    elif exclusion == "merged":
        Member.objects.filter(pk=member.pk).update(closed_at=now, merged_at=now, merged_into=kept)
    elif exclusion == "unsubscribed":
        reminders.unsubscribe(member)
    assert due(OPENS) == {kept.pk}


def test_two_years_back_when_the_setting_says_so(cac, settings):
    settings.RENEWAL_REMINDER_LOOKBACK_YEARS = 2
    campaign()
    member = lapsed(year=YEAR - 2)
    assert due(OPENS) == {member.pk}


def test_an_organisation_and_the_people_with_access_to_its_space(cac, django_user_model):
    campaign()
    organisation = lapsed_organisation(email="contact@asso.example.org")
    for email in ("tresoriere@example.org", "CONTACT@asso.example.org"):
        user = django_user_model.objects.create_user(username=email, email=email)
        Access.objects.create(member=organisation, user=user)
    (decision,) = reminders.decisions(campaign_of_year(), OPENS)
    assert decision.recipients == ["contact@asso.example.org", "tresoriere@example.org"]


def test_suggested_amounts(cac):
    campaign()
    person = lapsed("100.00")
    giver = lapsed("75.00")
    budget = lapsed_organisation(annual_budget=Decimal("150000"))
    amounts = {d.member.pk: d.amount for d in reminders.decisions(campaign_of_year(), OPENS)}
    assert amounts == {
        person.pk: Decimal("100.00"),  # the scale's tier of last year's gift
        giver.pk: Decimal("75.00"),  # any other amount: the same again
        budget.pk: Decimal("100.00"),  # the tier of the budget (under 200 000 €)
    }


# When


def test_the_schedule_with_a_frozen_clock(cac):
    campaign()
    member = lapsed()
    run(OPENS - datetime.timedelta(days=1))
    assert mail.outbox == []
    run(OPENS)
    run(OPENS + datetime.timedelta(days=1))
    assert len(mail.outbox) == 1
    run(STEP_DAYS[1])
    run(STEP_DAYS[1] + datetime.timedelta(days=10))
    run(STEP_DAYS[2])
    run(STEP_DAYS[2] + datetime.timedelta(days=1))
    assert [m.subject.startswith("Rappel") for m in mail.outbox] == [False, True, True]
    steps = list(Reminder.objects.filter(member=member).order_by("step").values_list("step"))
    assert steps == [(1,), (2,), (3,)]
    assert set(Reminder.objects.values_list("email_status", flat=True)) == {ReminderEmail.SENT}


def test_missed_steps_send_only_the_latest(cac):
    campaign()
    lapsed()
    run(STEP_DAYS[1] + datetime.timedelta(days=5))  # the portal was down until then
    assert list(Reminder.objects.values_list("step", flat=True)) == [2]
    assert len(mail.outbox) == 1
    run(STEP_DAYS[2] + datetime.timedelta(days=20))
    assert sorted(Reminder.objects.values_list("step", flat=True)) == [2, 3]
    assert len(mail.outbox) == 2


def test_renewing_stops_the_reminders(cac):
    campaign()
    member = lapsed()
    run(OPENS)
    PledgeFactory(member=member, year=YEAR)
    run(STEP_DAYS[1])
    assert len(mail.outbox) == 1


def test_nothing_without_a_scale_for_the_year_and_the_page_says_so(cac, treasurer_user, client):
    Scale.objects.filter(year=YEAR).delete()
    campaign()
    lapsed()
    result = run(OPENS)
    assert result["decided"] == 0 and mail.outbox == []
    client.force_login(treasurer_user)
    with time_machine.travel(at(OPENS), tick=False):
        page = client.get(f"/tresorerie/relances/?annee={YEAR}").content.decode()
    assert f"Aucun barème pour {YEAR} : les relances ne partiront pas" in page


def test_a_paused_campaign_sends_nothing(cac):
    campaign(paused=True)
    lapsed()
    run(OPENS)
    assert mail.outbox == [] and not Reminder.objects.exists()


# Once, whatever happens


def test_a_second_run_the_same_day_sends_nothing_more(cac):
    campaign()
    lapsed()
    lapsed()
    assert run(OPENS)["sent"] == 2
    assert run(OPENS, hour=10) == {"decided": 0, "sent": 0, "failed": 0}
    assert len(mail.outbox) == 2


def test_a_crash_mid_run_sends_no_step_twice(cac):
    campaign()
    members = [lapsed() for _ in range(4)]
    real = reminders.message
    calls = []

    def crash_on_the_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise SystemExit("worker killed")
        return real(*args, **kwargs)

    with mock.patch.object(reminders, "message", crash_on_the_second), pytest.raises(SystemExit):
        run(OPENS)
    assert len(mail.outbox) == 1
    # The worker comes back later (the sweep's grace period past): the rest go, once each.
    run(OPENS, hour=11)
    run(OPENS, hour=12)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(m.email for m in members)
    assert Reminder.objects.filter(email_status=ReminderEmail.SENT).count() == 4


def test_a_temporary_failure_is_tried_again(cac):
    campaign()
    lapsed()
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=smtplib.SMTPServerDisconnected("gone"),
    ):
        assert run(OPENS)["failed"] == 1
    reminder = Reminder.objects.get()
    assert reminder.email_status == ReminderEmail.DEFERRED
    assert "gone" in reminder.email_error
    with time_machine.travel(at(OPENS, hour=11), tick=False):
        celery_app.tasks["dues.tasks.sweep_renewal_reminders"].delay()
    reminder.refresh_from_db()
    assert reminder.email_status == ReminderEmail.SENT and len(mail.outbox) == 1


def test_a_refused_address_fails_for_good(cac):
    campaign()
    lapsed()
    refused = smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"no such user")})
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=refused
    ):
        run(OPENS)
    run(OPENS, hour=12)
    assert Reminder.objects.get().email_status == ReminderEmail.FAILED
    assert mail.outbox == []


# The email


def test_the_email_in_french(cac):
    campaign()
    member = lapsed("100.00", first_name="Lucie", last_name="Aubrac")
    run(OPENS)
    (email,) = mail.outbox
    assert email.subject == f"Renouvelez votre adhésion pour {YEAR}"
    assert email.to == [member.email]
    assert "Bonjour Lucie Aubrac," in email.body
    assert "Montant suggéré : 100,00\u00a0€" in email.body
    assert "/renouveler/" in email.body
    assert f"avec votre référence {member.reference} au dos" in email.body
    assert "108 rue St-Maur" in email.body
    assert "créez votre compte" not in email.body
    html, kind = email.alternatives[0]
    assert kind == "text/html" and "Bonjour Lucie Aubrac," in html and 'lang="fr"' in html
    unsubscribe = email.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http") and "/relances/desabonner/" in unsubscribe
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1:-1] in email.body


def test_the_email_in_english_for_a_member_who_wrote_in_english(cac):
    campaign()
    lapsed("50.00", first_name="Ada", last_name="Lovelace", language="en")
    run(OPENS)
    (email,) = mail.outbox
    assert email.subject == f"Renew your membership for {YEAR}"
    assert "Dear Ada Lovelace," in email.body
    assert "Suggested amount" in email.body
    assert "Bonjour" not in email.body
    assert 'lang="en"' in email.alternatives[0][0]


def test_account_holders_are_pointed_to_their_space(cac, member_user):
    campaign()
    member = Member.objects.get(accesses__user=member_user)
    PaymentFactory(member=member, year=YEAR - 1, received_on=datetime.date(YEAR - 1, 3, 1))
    run(OPENS)
    assert "/compte/" in mail.outbox[0].body


# Unsubscribing


def test_unsubscribe_from_the_link_then_no_more_reminders(cac, client):
    campaign()
    member = lapsed()
    run(OPENS)
    url = mail.outbox[0].extra_headers["List-Unsubscribe"][1:-1].split("8000", 1)[1]
    page = client.get(url).content.decode()
    assert "Me désabonner des relances" in page
    member.refresh_from_db()
    assert member.reminders_unsubscribed_at is None  # opening the link changes nothing
    client.post(url)
    member.refresh_from_db()
    assert member.reminders_unsubscribed_at is not None
    run(STEP_DAYS[1])
    assert len(mail.outbox) == 1


def test_one_click_unsubscribe_from_the_mail_client(cac):
    from django.test import Client

    campaign()
    member = lapsed()
    run(OPENS)
    url = mail.outbox[0].extra_headers["List-Unsubscribe"][1:-1].split("8000", 1)[1]
    response = Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.reminders_unsubscribed_at is not None


def test_a_forged_unsubscribe_link(cac, client):
    response = client.post("/relances/desabonner/not-a-token/")
    assert response.status_code == 400
    assert "pas valide" in response.content.decode()


def test_the_command_lists_without_sending(cac):
    campaign()
    member = lapsed()
    out = io.StringIO()
    with time_machine.travel(at(OPENS), tick=False):
        call_command("send_renewal_reminders", "--dry-run", stdout=out)
    assert f"{YEAR}: 1 reminder(s) due" in out.getvalue()
    assert member.reference in out.getvalue() and member.email in out.getvalue()
    assert mail.outbox == [] and not Reminder.objects.exists()
    with time_machine.travel(at(OPENS), tick=False):
        call_command("send_renewal_reminders", stdout=out)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_language_of_the_form_is_the_members(client, cac, language):
    # The middleware activates the visitor's language in this thread: give French back after.
    with translation.override("fr"):
        client.post(
            "/adhesion/",
            individual_post(**{"ind-email": "ada@example.org"}),
            HTTP_ACCEPT_LANGUAGE=language,
        )
    assert Member.objects.get(email="ada@example.org").language == language


def test_an_email_that_cannot_be_written_fails_for_good_and_shows(cac, client, treasurer_user):
    campaign()
    member = lapsed()
    with mock.patch.object(reminders, "message", side_effect=ValueError("bad template")):
        run(OPENS)
    run(OPENS, hour=12)
    reminder = Reminder.objects.get()
    assert reminder.email_status == ReminderEmail.FAILED
    assert reminder.email_error == "ValueError: bad template"
    client.force_login(treasurer_user)
    with time_machine.travel(at(OPENS), tick=False):
        page = client.get(f"/tresorerie/relances/?annee={YEAR}").content.decode()
    failures = page.split('id="failures-title"')[1].split("</section>")[0]
    assert member.reference in failures and "bad template" in failures
