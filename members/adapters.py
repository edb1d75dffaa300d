"""django-allauth's adapter for the portal: the client's real address, links on SITE_URL."""

from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings

from cac_portal.clients import client_ip


def site():
    """What allauth's emails call the site (`current_site`): the public address, SITE_URL."""
    domain = urlsplit(settings.SITE_URL).netloc
    return SimpleNamespace(domain=domain, name=domain)


def on_site(value, request_host):
    """A link allauth built on the requesting Host, moved onto SITE_URL; anything else as is."""
    if not isinstance(value, str) or not request_host:
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or parts.netloc != request_host:
        return value
    return settings.SITE_URL + urlunsplit(("", "", parts.path, parts.query, parts.fragment))


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        """allauth's limits per IP key on the client behind our trusted proxies."""
        return client_ip(request)

    def send_mail(self, template_prefix, email, context):
        """Every allauth email passes here. allauth builds its links (password reset,
        email confirmation, sign-up) on the request's Host, which keeps whatever port or
        allowed name the request came with; they leave with the public address instead."""
        request = allauth_context.request
        host = request.get_host() if request is not None else None
        context = {key: on_site(value, host) for key, value in context.items()}
        context["current_site"] = site()
        super().send_mail(template_prefix, email, context)
