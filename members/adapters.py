"""django-allauth's adapter for the portal: the client's real address."""

from allauth.account.adapter import DefaultAccountAdapter

from cac_portal.clients import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        """allauth's limits per IP key on the client behind our trusted proxies."""
        return client_ip(request)
