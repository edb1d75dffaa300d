"""What a pledge's confirmation says (page and email) and how its email leaves; the signed
link that attaches a pledge left to match to the member whose address it used.

A confirmation shows a visitor only what their form said and the pledge's own reference: the
member's reference only to someone with access to the member, and in the email, which goes to
the member's address.
"""

import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from cac_portal.limits import exceeded
from charter import published as charter_published
from dues.campaign import scale_for
from dues.models import Pledge
from members.models import CONTACT_FIELDS, Member, MemberKind

logger = logging.getLogger(__name__)


def receipt_timing(member, year):
    if member.kind == MemberKind.ORGANISATION:
        return _("Un reçu acquitté vous sera envoyé dès réception de votre règlement.")
    return _(
        "Votre reçu fiscal annuel vous sera envoyé en janvier %(next)s, pour l'ensemble de vos "
        "versements de %(year)s."
    ) % {"next": year + 1, "year": year}


ATTACH_SALT = "dues.attach_pledge"
ATTACH_DAYS = 30


def proposed_member(pledge):
    """The member as the form of a pledge attached to nobody described it: never saved, only
    shown back to whoever typed it (a confirmation says what was typed, nothing more)."""
    proposal = pledge.proposal
    fields = CONTACT_FIELDS.get(proposal.get("kind"), [])
    data = {k: v for k, v in proposal.get("member", {}).items() if k in fields}
    return Member(kind=proposal.get("kind"), **data)


def attach_token(pledge):
    """The signed token of the link that attaches `pledge` to the member whose address it
    used; valid ATTACH_DAYS days (see `pledge_from_token`)."""
    return signing.dumps({"p": pledge.pk, "m": pledge.matched_member_id}, salt=ATTACH_SALT)


def pledge_from_token(token):
    """(pledge, member) of an attach link, or ValidationError: forged, expired, or the pledge
    attached already."""
    refused = ValidationError(
        _(
            "Ce lien n'est plus valable : connectez-vous à votre espace membre pour rattacher "
            "votre promesse, ou écrivez-nous."
        ),
        code="invalid",
    )
    try:
        data = signing.loads(token, salt=ATTACH_SALT, max_age=ATTACH_DAYS * 86400)
    except signing.BadSignature:
        raise refused from None
    if not isinstance(data, dict):
        raise refused
    pledge = (
        Pledge.objects.to_match()
        .select_related("matched_member")
        .filter(pk=data.get("p"), matched_member_id=data.get("m"))
        .first()
    )
    if pledge is None or pledge.matched_member is None:
        raise refused
    return pledge, pledge.matched_member


def confirmation_context(pledge, *, show_member=None):
    """What the confirmation page and email say: reference, amount, payee, address, receipt.

    `show_member`: the member's own reference may be shown (the email, which goes to the
    member's address; a page seen by someone with access to the member). Otherwise only what
    the form said and the pledge's own reference, to write on the cheque: a visitor learns
    nothing of a record, not even whether the address was known. A pledge attached to nobody
    comes with the link that attaches it (for its email, sent to the member's address)."""
    attached = pledge.is_attached
    show_member = attached if show_member is None else show_member and attached
    member = pledge.member if attached else proposed_member(pledge)
    scale = scale_for(pledge.year)
    return {
        "pledge": pledge,
        "member": member,
        "attached": show_member,
        # Someone with an account is never asked to create one.
        "has_account": attached and pledge.member.accesses.exists(),
        "payment_reference": member.reference if show_member else pledge.reference,
        "attach_url": (
            None
            if attached
            else settings.SITE_URL + reverse("dues:attach_by_link", args=[attach_token(pledge)])
        ),
        "attach_days": ATTACH_DAYS,
        "collective": charter_published.collective(),
        "receipt_timing": receipt_timing(member, pledge.year),
        "net_cost": (
            scale.net_cost(pledge.amount)
            if scale and member.kind == MemberKind.INDIVIDUAL
            else None
        ),
        "site_url": settings.SITE_URL,
    }


def _confirmation_rate(group, request):
    return f"{settings.CONFIRMATION_EMAILS_PER_ADDRESS_PER_DAY}/d"


def _too_many_confirmations(address):
    """Counts one email to `address` (whatever its case) in the shared cache; True past the
    day's allowance. There is no request: the count keys on the recipient alone."""
    return exceeded(
        None,
        group="dues.confirmation_email",
        key=lambda group, request: address.strip().lower(),
        rate=_confirmation_rate,
    )


def send_pledge_confirmation(pledge):
    """The confirmation email; a mail server down must not undo the pledge, so errors are logged.

    At most CONFIRMATION_EMAILS_PER_ADDRESS_PER_DAY go to one address: the form is public, and
    anyone could otherwise flood a stranger's mailbox. Past that the pledge stands, unmailed.
    """
    address = (pledge.member or pledge.matched_member).email
    if _too_many_confirmations(address):
        logger.warning(
            "confirmation email for pledge %s not sent: %s emails to that address today already",
            pledge.pk,
            settings.CONFIRMATION_EMAILS_PER_ADDRESS_PER_DAY,
        )
        return False
    context = confirmation_context(pledge)
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("dues/email/adhesion_confirmation_subject.txt", context)
        text = render_to_string("dues/email/adhesion_confirmation.txt", context)
        html = render_to_string("dues/email/adhesion_confirmation.html", context)
    message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=text, to=[address])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:
        logger.exception("confirmation email for pledge %s not sent", pledge.pk)
        return False
    return True
