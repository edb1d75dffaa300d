"""A person who verifies an email address finds the member records with that address attached,
and a member's new contact email, once verified, replaces the old one."""

from allauth.account.signals import email_confirmed, user_logged_in
from django.dispatch import receiver

from members.services import apply_verified_email, claim_member


@receiver(email_confirmed, dispatch_uid="members.claim_on_email_confirmed")
def claim_on_email_confirmed(sender, request=None, email_address=None, **kwargs):
    if email_address is not None:
        apply_verified_email(email_address)
        claim_member(email_address.user)


@receiver(user_logged_in, dispatch_uid="members.claim_on_login")
def claim_on_login(sender, request=None, user=None, **kwargs):
    # Staff may have entered a paper form after the account was made and verified.
    if user is not None:
        claim_member(user)
