"""The one helper every `next` goes through: a path of this site, else the page's default."""

import pytest
from django.test import RequestFactory

from cac_portal.http import safe_next_url
from tests.helpers import BAD_NEXT


@pytest.mark.parametrize("value", BAD_NEXT)
def test_the_helper_refuses_anything_but_a_path_of_this_site(value):
    request = RequestFactory().post("/", {"next": value})
    assert safe_next_url(request, "/defaut/") == "/defaut/"


@pytest.mark.parametrize("value", ["/gestion/", "/gestion/?q=Aubrac&page=2", "/compte/#recus"])
def test_the_helper_keeps_a_path_of_this_site(value):
    assert safe_next_url(RequestFactory().post("/", {"next": value}), "/defaut/") == value
    assert safe_next_url(RequestFactory().get("/", {"next": value}), "/defaut/") == value
