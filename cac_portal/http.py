"""HTTP helpers every app's views share: who may open a page, and where it may send them next.

`requires(permission)` guards the staff's and the treasurer's pages the same way: strangers are
asked to log in, logged-in people without the permission get 403.

Where a page may send the visitor next: the one reading of `next` for every view.

A `next` is followed only when it is a path of this site ("/gestion/?q=x"). Anything else
(a view name such as "abc", "//host", "https://host", "/\\host", "javascript:", control
characters) gives the page's default. The result always goes to `HttpResponseRedirect`, never to
`redirect()`, which would look a bare word up as a view name and fail after the change was saved.
"""

import unicodedata
from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

MAX_LENGTH = 2000


def requires(permission):
    """A view decorator: the login page for strangers, 403 without `permission`."""

    def decorator(view):
        return login_required(permission_required(permission, raise_exception=True)(view))

    return decorator


def is_local_path(value):
    """True for a path of this site: one leading "/", no scheme, no host, no backslash, no
    control or invisible formatting character (browsers drop some of these and read the rest
    as "//host")."""
    if not isinstance(value, str) or not value or len(value) > MAX_LENGTH:
        return False
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return False
    if any(unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} for char in value):
        return False
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return False
    # Django's own check as well, so that any case it knows of is refused here too.
    return url_has_allowed_host_and_scheme(value, allowed_hosts=None)


def safe_next_url(request, default):
    """The request's `next` (POST first, then the query string) if it is a path of this site,
    else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if is_local_path(target) else default


def redirect_to_next(request, default):
    """A redirect to the request's safe `next`, or to `default`."""
    return HttpResponseRedirect(safe_next_url(request, default))
