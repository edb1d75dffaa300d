"""No input produces a server error: random values in every field of /adhesion/."""

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import individual_post, organisation_post

# slow: hypothesis sends hundreds of random forms
pytestmark = pytest.mark.slow


FIELDS = sorted(
    set(individual_post())
    | set(organisation_post())
    | {"tier", "other_amount", "org_amount", "fax", "org-members_count", "corr-2-name"}
)

junk = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1e309",
            "NaN",
            "Infinity",
            "9" * 40,
            "１２３",
            "0,001",
            "\x00",
            "<b>",
            "999999999999999999999999",
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    base=st.sampled_from(["individual", "organisation"]),
    changes=st.dictionaries(st.sampled_from(FIELDS), junk, max_size=8),
)
def test_random_input_never_gives_a_server_error(cac, base, changes):
    # Each example is a new visitor: the form's limit per client address is tested elsewhere.
    cache.clear()
    data = individual_post() if base == "individual" else organisation_post()
    data.update(
        {
            key: value.replace("\x00", "") if key.endswith("TOTAL_FORMS") else value
            for key, value in changes.items()
        }
    )
    response = Client(raise_request_exception=False).post("/adhesion/", data)
    assert response.status_code in (200, 302), response.status_code
