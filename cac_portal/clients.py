"""Who is asking: the client's address, as the nearest proxy we trust saw it.

Behind the TLS proxy, REMOTE_ADDR is the proxy's own address, the same for every visitor; each
trusted proxy appends the address it saw to X-Forwarded-For, and whatever the client wrote there
itself comes before. So with N trusted proxies the client is the Nth address from the right, and
with none the header is ignored (anyone can send it). allauth's rate limits (through the account
adapter) and the public form's limit (RATELIMIT_IP_META_KEY) both key on `client_ip`.
"""

import ipaddress

from django.conf import settings

# An address nobody can read counts as one shared client, so a limit keyed on it still holds.
UNKNOWN = "0.0.0.0"


def _address(text):
    try:
        return str(ipaddress.ip_address((text or "").strip()))
    except ValueError:
        return None


def client_ip(request):
    """The client's IP address; never empty, never anything but an address."""
    remote = _address(request.META.get("REMOTE_ADDR"))
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = forwarded.split(",")
        # Fewer addresses than proxies: the request skipped the outer ones, and every address
        # there was still written by one we trust; the leftmost is the client.
        seen = _address(hops[-min(proxies, len(hops))])
        if seen:
            return seen
    return remote or UNKNOWN
