"""Every /gestion/ URL, for every kind of visitor: strangers log in, members get 403, the staff,
the treasurer and the superuser get the page. The URL list is read from dues.urls_desk, so a
new URL is in the matrix the day it is added."""

import pytest
from django.urls import reverse

from dues.models import BankLine
from dues.urls_desk import urlpatterns
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db

DESK_URLS = [pattern.name for pattern in urlpatterns]
# A value for every URL parameter the desk uses; a new parameter fails here until it is added.
PARAMETERS = {
    "pk": lambda objects: objects["payment"].pk,
    "number": lambda objects: objects["slip"].number,
    "code": lambda objects: objects["import"].code,
    "reference": lambda objects: objects["payment"].member.reference,
    "pledge_reference": lambda objects: PledgeFactory(member=objects["payment"].member).reference,
    "line": lambda objects: objects["line"].pk,
    "statement": lambda objects: objects["line"].statement_id,
}


@pytest.fixture
def desk_objects(desk_payment, desk_slip, desk_import, desk_bank_line):
    return {
        "payment": desk_payment,
        "slip": desk_slip,
        "import": desk_import,
        "line": desk_bank_line,
    }


def desk_url(name, objects):
    pattern = next(p for p in urlpatterns if p.name == name)
    kwargs = {key: PARAMETERS[key](objects) for key in pattern.pattern.converters}
    return reverse(f"dues:{name}", kwargs=kwargs)


def test_the_matrix_covers_every_desk_url():
    assert len(DESK_URLS) == len(set(DESK_URLS)) >= 10
    assert {key for p in urlpatterns for key in p.pattern.converters} <= set(PARAMETERS)


@pytest.mark.parametrize("name", DESK_URLS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, name, desk_objects):
    url = desk_url(name, desk_objects)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.post(url).status_code == 302


@pytest.mark.parametrize("name", DESK_URLS)
def test_members_are_refused(client, member_user, name, desk_objects):
    client.force_login(member_user)
    url = desk_url(name, desk_objects)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403


@pytest.mark.parametrize("who", ["staff_user", "treasurer_user", "superuser"])
@pytest.mark.parametrize("name", DESK_URLS)
def test_staff_treasurer_and_superuser_get_every_page(client, request, who, name, desk_objects):
    client.force_login(request.getfixturevalue(who))
    response = client.get(desk_url(name, desk_objects))
    assert response.status_code == 200, response.content[:500]


@pytest.mark.parametrize("name", DESK_URLS)
def test_state_changes_need_the_csrf_token(name, staff_user, desk_objects):
    desk_payment, desk_slip = desk_objects["payment"], desk_objects["slip"]
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    response = client.post(desk_url(name, desk_objects), {"reason": "x"})
    # Without a token every POST is refused before the view runs (GET-only views say 405 or
    # are refused by CSRF first: either way nothing changes).
    assert response.status_code == 403
    desk_payment.refresh_from_db()
    desk_slip.refresh_from_db()
    assert desk_payment.status == "received"
    assert desk_slip.deposited_at is None
    assert BankLine.objects.get().status == "open"
