from decimal import Decimal

import pytest
from django.template import Context, Template

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1000"), f"1{NBSP}000,00{NBSP}€"),
        (Decimal("1234567.891"), f"1{NBSP}234{NBSP}567,89{NBSP}€"),
        (Decimal("0.5"), f"0,50{NBSP}€"),
        (Decimal("999"), f"999,00{NBSP}€"),
        (Decimal("-20"), f"-20,00{NBSP}€"),
        (50, f"50,00{NBSP}€"),
        ("17.005", f"17,01{NBSP}€"),
        (None, ""),
        ("", ""),
        ("abc", ""),
    ],
)
def test_euros_formats_the_french_way(value, expected):
    rendered = Template("{% load money %}{{ value|euros }}").render(Context({"value": value}))
    assert rendered == expected


def test_euros_without_cents():
    rendered = Template("{% load money %}{{ value|euros:0 }}").render(
        Context({"value": Decimal("1000")})
    )
    assert rendered == f"1{NBSP}000{NBSP}€"
