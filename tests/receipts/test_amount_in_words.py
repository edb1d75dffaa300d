"""The amount in French words, as the receipt prints it (num2words spells, we add the units)."""

from decimal import Decimal

import pytest

from receipts.services.words import euros_in_figures, euros_in_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0.01", "un centime"),
        ("1", "un euro"),
        ("21", "vingt et un euros"),
        ("71", "soixante et onze euros"),
        ("80", "quatre-vingts euros"),
        ("81", "quatre-vingt-un euros"),
        ("100", "cent euros"),
        ("120.50", "cent vingt euros et cinquante centimes"),
        ("200", "deux cents euros"),
        ("1000", "mille euros"),
        ("1000000", "un million d'euros"),
        ("2000000", "deux millions d'euros"),
        ("1.01", "un euro et un centime"),
        ("0.80", "quatre-vingts centimes"),
    ],
)
def test_amount_in_words(amount, words):
    assert euros_in_words(Decimal(amount)) == words


def test_amount_in_figures_the_french_way():
    assert euros_in_figures(Decimal("1000000")) == "1\u00a0000\u00a0000,00\u00a0€"
    assert euros_in_figures(Decimal("120.5")) == "120,50\u00a0€"
