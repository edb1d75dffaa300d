"""Each validation rule of what members type, with its French message."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from members.forms import CorrespondentFormSet, IndividualForm, OrganisationForm
from members.validators import (
    MoneyField,
    format_phone,
    normalize_phone,
    normalize_postal_code,
    parse_money,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("75011", "75011"),
        (" 75 011 ", "75011"),
        ("01000", "01000"),
        ("20000", "20000"),  # Corsica
        ("97100", "97100"),  # Guadeloupe
        ("97600", "97600"),  # Mayotte
        ("97500", "97500"),  # Saint-Pierre-et-Miquelon
        ("98800", "98800"),  # Nouvelle-Calédonie
        ("98714", "98714"),  # Polynésie
    ],
)
def test_french_postal_codes_accepted(typed, expected):
    assert normalize_postal_code(typed) == expected


@pytest.mark.parametrize("typed", ["7501", "750111", "ABCDE", "00100", "96000", "97900", "98500"])
def test_french_postal_codes_refused(typed):
    with pytest.raises(ValidationError) as error:
        normalize_postal_code(typed)
    assert "code postal français valide" in error.value.messages[0]


def test_foreign_postal_codes_follow_their_country():
    assert normalize_postal_code("1000", "BE") == "1000"
    assert normalize_postal_code("sw1a 1aa", "GB") == "SW1A 1AA"
    with pytest.raises(ValidationError):
        normalize_postal_code("<script>", "BE")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("01 23 45 67 89", "+33123456789"),
        ("01.23.45.67.89", "+33123456789"),
        ("06-12-34-56-78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("0590 12 34 56", "+590590123456"),  # Guadeloupe, dialled from France
        ("0696 12 34 56", "+596696123456"),  # Martinique mobile
        ("+32 2 511 12 34", "+3225111234"),
        ("", ""),
    ],
)
def test_phones_are_normalised_to_e164(typed, expected):
    assert normalize_phone(typed) == expected


@pytest.mark.parametrize("typed", ["12", "abc", "01 23", "+33 1 23", "9" * 40])
def test_bad_phones_are_refused_in_french(typed):
    with pytest.raises(ValidationError) as error:
        normalize_phone(typed)
    assert "téléphone" in error.value.messages[0]


def test_phones_are_shown_the_way_people_write_them():
    assert format_phone("+33123456789") == "01 23 45 67 89"
    assert format_phone("+3225111234") == "+32 2 511 12 34"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("50", Decimal("50")),
        ("50,5", Decimal("50.5")),
        ("1 000,50 €", Decimal("1000.50")),
        ("1\u00a0000", Decimal("1000")),
        ("12.34", Decimal("12.34")),
        ("1000", Decimal("1000")),
        ("1 000", Decimal("1000")),
        ("1000,50", Decimal("1000.50")),
        ("1 000,50", Decimal("1000.50")),
        ("1000.50", Decimal("1000.50")),
        ("1\u202f000,5", Decimal("1000.5")),
        ("1\u2009000,50 €", Decimal("1000.50")),
        ("10 000 €", Decimal("10000")),
        ("0,125", Decimal("0.125")),
    ],
)
def test_money_is_read_the_french_way(typed, expected):
    assert parse_money(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "Saisissez un montant"),
        ("1e5", "Saisissez un montant"),
        ("NaN", "Saisissez un montant"),
        ("0", "positif"),
        ("-5", "positif"),
        ("10,0050", "deux chiffres après la virgule"),
        ("0,125", "deux chiffres après la virgule"),
        ("100001", "plafond"),
        ("9" * 40, "Saisissez un montant"),
    ],
)
def test_bad_amounts_are_refused(typed, message):
    with pytest.raises(ValidationError) as error:
        MoneyField().clean(typed)
    assert message in error.value.messages[0]


THOUSANDS = "Écrivez le montant sans séparateur de milliers, par exemple 1000 ou 1 000,50."


@pytest.mark.parametrize(
    "typed",
    ["1.000", "1,000", "1.000,50", "1,000.50", "10,005", "1.000.000", "12.345 €", "-1.000"],
)
def test_an_amount_with_a_thousands_separator_is_ambiguous_and_refused(typed):
    with pytest.raises(ValidationError) as error:
        parse_money(typed)
    assert error.value.messages == [THOUSANDS]
    with pytest.raises(ValidationError) as error:
        MoneyField().clean(typed)
    assert error.value.messages == [THOUSANDS]


def test_a_budget_may_be_zero_but_not_absurd():
    field = OrganisationForm.base_fields["annual_budget"]
    assert field.clean("0") == Decimal("0.00")
    with pytest.raises(ValidationError):
        field.clean("99999999999")


def individual(**overrides):
    data = {
        "last_name": "Durand",
        "first_name": "Léa",
        "email": "lea@example.org",
        "street": "5 rue Oberkampf",
        "postal_code": "75011",
        "city": "Paris",
        "country": "FR",
    }
    data.update(overrides)
    return IndividualForm(data)


@pytest.mark.django_db
def test_a_valid_individual():
    form = individual(website="lea.example.org", phone_home="01 40 00 00 00")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["website"] == "https://lea.example.org"
    assert form.cleaned_data["phone_home"] == "+33140000000"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "pas-un-email", "Saisissez une adresse e-mail valide."),
        ("email", "", "Ce champ est obligatoire."),
        ("website", "http://", "Saisissez une adresse de site valide."),
        ("website", "javascript:alert(1)", "Saisissez une adresse de site valide."),
        ("postal_code", "7501", "cinq chiffres"),
        ("last_name", "", "Ce champ est obligatoire."),
        ("city", "", "Ce champ est obligatoire."),
        ("phone_mobile", "06", "Saisissez un numéro de téléphone valide"),
        ("country", "XX", "Sélectionnez un choix valide"),
    ],
)
def test_each_rule_speaks_french_next_to_its_field(field, value, message):
    form = individual(**{field: value})
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


@pytest.mark.django_db
def test_a_paper_form_may_have_no_email():
    form = IndividualForm(
        {
            "last_name": "Durand",
            "first_name": "Léa",
            "street": "5 rue Oberkampf",
            "postal_code": "75011",
            "city": "Paris",
            "country": "FR",
        },
        require_email=False,
    )
    assert form.is_valid(), form.errors


@pytest.mark.django_db
def test_an_organisations_counts_and_name():
    form = OrganisationForm(
        {
            "name": "",
            "email": "a@example.org",
            "street": "1 rue",
            "postal_code": "69001",
            "city": "Lyon",
            "country": "FR",
            "members_count": "-3",
            "federations_count": "deux",
        }
    )
    assert not form.is_valid()
    assert form.errors["name"] == ["Ce champ est obligatoire."]
    assert "supérieure ou égale à 0" in form.errors["members_count"][0]
    assert form.errors["federations_count"] == ["Saisissez un nombre entier."]


def test_correspondents_need_a_name_and_valid_contacts():
    formset = CorrespondentFormSet(
        {
            "corr-TOTAL_FORMS": "2",
            "corr-INITIAL_FORMS": "0",
            "corr-0-function": "Trésorière",
            "corr-0-email": "faux",
            "corr-1-name": "",
        },
        prefix="corr",
    )
    assert not formset.is_valid()
    assert formset.forms[0].errors["name"] == ["Indiquez le nom du correspondant."]
    assert formset.forms[0].errors["email"] == ["Saisissez une adresse e-mail valide."]


def test_at_least_one_correspondent():
    formset = CorrespondentFormSet(
        {"corr-TOTAL_FORMS": "2", "corr-INITIAL_FORMS": "0"}, prefix="corr"
    )
    assert not formset.is_valid()
    assert formset.non_form_errors() == ["Indiquez au moins un correspondant."]
