"""Renewal reminders: who gets one, the decision to send it, and its email.

Once a day (`dues.tasks.send_renewal_reminders`) each open campaign that is not paused and has
its year's scale decides the step due today for each recipient: members up to date in one of
the last RENEWAL_REMINDER_LOOKBACK_YEARS years before the campaign's, with no pledge and no
payment for it, reachable (`Member.objects.reachable()`), with an address.

Sent once, whatever happens: the decision is a `Reminder` row, unique per member, campaign and
step, committed before the email leaves; a second run, a second worker or a run after a crash
meets the row and sends nothing. Steps missed (the portal was down) are not caught up: only the
latest step due is decided, and never one at or before a step already decided. The email then
has a delivery state, like a receipt's: a temporary failure is tried again by the sweep, a
crash between the decision and the email leaves a queued row the sweep sends. (A crash between
the mail server's acceptance and the row's update may send one email twice: we prefer that to
none, as for receipts.)
"""

import dataclasses
import datetime
import logging

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cac_portal.mail import TemporaryEmailError, is_temporary
from charter.models import Collective
from dues.models import Payment, PaymentStatus, Pledge, Reminder, ReminderEmail, Scale
from dues.models_renewals import RenewalCampaign
from dues.services.renewals import Suggestions, as_uuid, renewal_token
from members import audit
from members.models import Access, Member, MemberKind

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "dues.reminders_unsubscribe"
SENDABLE = (ReminderEmail.QUEUED, ReminderEmail.DEFERRED)
MAX_ATTEMPTS = 10


def _grace():
    return datetime.timedelta(seconds=settings.RENEWAL_REMINDER_GRACE_SECONDS)


# Who


def candidates(year):
    """The members a reminder of `year`'s campaign is for (before the address check): up to
    date in one of the lookback years, nothing pledged nor paid for `year` (not even a pledge
    sent with their address that waits to be attached), reachable. One query; each member
    carries `last_amount` and its accesses with their users."""
    valid = Payment.objects.filter(member=OuterRef("pk"), status=PaymentStatus.RECEIVED)
    first = year - settings.RENEWAL_REMINDER_LOOKBACK_YEARS
    return (
        Member.objects.reachable()
        .filter(Exists(valid.filter(year__gte=first, year__lt=year)))
        .exclude(Exists(valid.filter(year=year)))
        .exclude(Exists(Pledge.objects.filter(member=OuterRef("pk"), year=year)))
        .exclude(
            Exists(
                Pledge.objects.filter(matched_member=OuterRef("pk"), member__isnull=True, year=year)
            )
        )
        .annotate(
            last_amount=Subquery(
                valid.filter(year__lt=year)
                .order_by("-year", "-received_on", "-pk")
                .values("amount")[:1]
            )
        )
        .prefetch_related(
            Prefetch("accesses", queryset=Access.objects.select_related("user").order_by("pk"))
        )
        .order_by("pk")
    )


def addresses(member):
    """Where a member's reminder goes: its email; an organisation's also to the people with
    access to its space. Each address once, whatever its case."""
    found = [member.email] if member.email else []
    if member.kind == MemberKind.ORGANISATION:
        found += [access.user.email for access in member.accesses.all() if access.user.email]
    unique = {}
    for address in found:
        unique.setdefault(address.strip().lower(), address.strip())
    return list(unique.values())


@dataclasses.dataclass(frozen=True)
class Decision:
    member: Member
    step: int
    recipients: list
    amount: object
    language: str


def problems(campaign):
    """Why `campaign` sends nothing (in French), or []: no scale for its year, paused."""
    found = []
    if not Scale.objects.filter(year=campaign.year).exists():
        found.append(
            _(
                "Aucun barème pour %(year)s : les relances ne partiront pas tant qu'il n'est "
                "pas créé."
            )
            % {"year": campaign.year}
        )
    if campaign.paused:
        found.append(_("Les relances sont suspendues."))
    return found


def decisions(campaign, today):
    """The reminders the next run would decide for `campaign` on `today` (the dry run): the
    latest step due, for each recipient who has no reminder at or after that step."""
    step = campaign.due_step(today)
    if step is None or problems(campaign):
        return []
    decided = set(
        Reminder.objects.filter(campaign=campaign, step__gte=step).values_list(
            "member_id", flat=True
        )
    )
    suggestions = Suggestions(campaign.year)
    found = []
    for member in candidates(campaign.year):
        recipients = addresses(member)
        if member.pk in decided or not recipients:
            continue
        amount = suggestions.amount(
            member.kind, annual_budget=member.annual_budget, last_amount=member.last_amount
        )
        found.append(Decision(member, step, recipients, amount, member.language))
    return found


def due_campaigns(today):
    """The campaigns whose reminders may run today: this year's and next year's."""
    return RenewalCampaign.objects.filter(year__in=(today.year, today.year + 1)).order_by("year")


# Deciding


def _decide(campaign, decision):
    """The reminder row, committed, or None if another run decided that step first. The row
    is born claimed (one attempt, now) by the run that decided it: the sweep leaves it to
    that run for the grace period, and sends it after that if a crash left it unsent."""
    try:
        with transaction.atomic():
            return Reminder.objects.create(
                campaign=campaign,
                member=decision.member,
                step=decision.step,
                recipients=decision.recipients,
                amount=decision.amount,
                language=decision.language,
                email_attempts=1,
                email_attempted_at=timezone.now(),
            )
    except IntegrityError:
        return None


@dataclasses.dataclass
class Run:
    decided: int = 0
    sent: int = 0
    failed: int = 0
    skipped: list = dataclasses.field(default_factory=list)


def run_campaign(campaign, today, *, connection, context, run):
    for decision in decisions(campaign, today):
        reminder = _decide(campaign, decision)
        if reminder is None:
            continue
        run.decided += 1
        reminder.member = decision.member
        reminder.campaign = campaign
        try:
            sent = _send(reminder, connection, context, claimed=True)
        except TemporaryEmailError:
            sent = False
        run.sent += int(sent)
        run.failed += int(not sent)


def send_reminders(*, today=None):
    """Decide and send today's reminders of every campaign that may run; then send what a
    crash or a temporary failure left to send. Safe to run twice, or twice at once."""
    today = today or timezone.localdate()
    run = Run()
    context = shared_context()
    with get_connection() as connection:
        for campaign in due_campaigns(today):
            found = problems(campaign)
            if found:
                run.skipped.append((campaign.year, found))
                continue
            run_campaign(campaign, today, connection=connection, context=context, run=run)
    run.sent += sweep(context=context)
    return run


# The email


def unsubscribe_token(member):
    """The signed token of a member's unsubscribe link (it does not expire)."""
    return signing.dumps(str(member.code), salt=UNSUBSCRIBE_SALT)


def member_from_unsubscribe_token(token):
    """The member of an unsubscribe link, or None (forged, or the member is gone)."""
    try:
        code = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    code = as_uuid(code)
    return Member.objects.filter(code=code).first() if code else None


def shared_context():
    """What every reminder's email shares, loaded once per run."""
    return {"collective": Collective.load(), "site_url": settings.SITE_URL}


def message(reminder, connection=None, context=None):
    """The reminder's email in the member's language: text and HTML, with the one-click
    renewal and unsubscribe links and the RFC 8058 headers."""
    member = reminder.member
    unsubscribe_url = settings.SITE_URL + reverse(
        "dues:unsubscribe", args=[unsubscribe_token(member)]
    )
    context = {
        **(context or shared_context()),
        "member": member,
        "year": reminder.campaign.year,
        "step": reminder.step,
        "amount": reminder.amount,
        "renew_url": settings.SITE_URL
        + reverse("dues:renew_by_link", args=[renewal_token(member, reminder.campaign.year)]),
        "unsubscribe_url": unsubscribe_url,
        "has_account": bool(member.accesses.all()),
    }
    with translation.override(reminder.language or settings.LANGUAGE_CODE):
        subject = render_to_string("dues/email/renewal_reminder_subject.txt", context)
        text = render_to_string("dues/email/renewal_reminder.txt", context)
        html = render_to_string("dues/email/renewal_reminder.html", context)
    email = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=reminder.recipients,
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    email.attach_alternative(html, "text/html")
    return email


def _claim(reminder, *, stale_before):
    """Count an attempt on a reminder still to send that no run tried since `stale_before`;
    False if another run is on it or it is sent."""
    rows = Reminder.objects.filter(pk=reminder.pk, email_status__in=SENDABLE).filter(
        Q(email_attempted_at__isnull=True) | Q(email_attempted_at__lt=stale_before)
    )
    return bool(
        rows.update(email_attempts=F("email_attempts") + 1, email_attempted_at=timezone.now())
    )


def _failure(reminder, exc):
    attempts = Reminder.objects.filter(pk=reminder.pk).values_list("email_attempts", flat=True)[0]
    temporary = is_temporary(exc) and attempts < MAX_ATTEMPTS
    Reminder.objects.filter(pk=reminder.pk).update(
        email_status=ReminderEmail.DEFERRED if temporary else ReminderEmail.FAILED,
        email_error=f"{type(exc).__name__}: {exc}"[:2000],
    )
    log = logger.warning if temporary else logger.error
    log(
        "renewal reminder %s: email %s (%s)",
        reminder.pk,
        "deferred" if temporary else "failed",
        exc,
    )
    return temporary


def _send(reminder, connection, context, *, stale_before=None, claimed=False):
    """Send one reminder's email; True if the server accepted it (the row is then sent).
    `claimed`: the run that decided it, which owns it already."""
    if not claimed and not _claim(reminder, stale_before=stale_before):
        return False
    try:
        message(reminder, connection, context).send()
    except Exception as exc:  # kept on the row, shown to staff: never a silent loop
        if _failure(reminder, exc):
            raise TemporaryEmailError(str(exc)) from exc
        return False
    Reminder.objects.filter(pk=reminder.pk, email_status__in=SENDABLE).update(
        email_status=ReminderEmail.SENT, emailed_at=timezone.now(), email_error=""
    )
    return True


def sweep(*, now=None, context=None):
    """Send the reminders decided but not sent (a crash) or deferred (a temporary failure),
    once no run has been on them for the grace period. Returns how many were sent."""
    now = now or timezone.now()
    stale_before = now - _grace()
    waiting = (
        Reminder.objects.filter(email_status__in=SENDABLE, decided_at__lt=stale_before)
        .filter(Q(email_attempted_at__isnull=True) | Q(email_attempted_at__lt=stale_before))
        .select_related("campaign", "member")
        .prefetch_related(Prefetch("member__accesses", queryset=Access.objects.order_by("pk")))
        .order_by("pk")
    )
    sent = 0
    context = context or shared_context()
    with get_connection() as connection:
        for reminder in waiting:
            try:
                sent += int(_send(reminder, connection, context, stale_before=stale_before))
            except TemporaryEmailError:
                continue
    return sent


# Unsubscribing


def unsubscribe(member, *, actor=None):
    """No more renewal reminders for `member`; True if that changed something."""
    with transaction.atomic():
        changed = Member.objects.filter(
            pk=member.pk, reminders_unsubscribed_at__isnull=True
        ).update(reminders_unsubscribed_at=timezone.now())
        if changed:
            audit.record(member, audit.Action.REMINDERS_UNSUBSCRIBED, actor=actor)
    return bool(changed)
