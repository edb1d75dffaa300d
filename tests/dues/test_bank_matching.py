"""Each line of a statement is matched by itself: the RF reference, a member reference in the
label, an IBAN learned earlier, a deposit slip's total, the amount and a name close to a
member's; each suggestion says why and how sure."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dues.models import BankLine, KnownPayerAccount, LineSuggestion
from dues.references import creditor_reference
from dues.services.matching import match_lines
from dues.services.statements import import_statement
from tests.dues.conftest import STATEMENT_YEAR
from tests.factories import IndividualFactory, PaymentFactory, PledgeFactory
from tests.helpers import camt053, data_file

pytestmark = pytest.mark.django_db

DAY = datetime.date(STATEMENT_YEAR, 3, 16)


def load(name):
    return import_statement(data=data_file(name), file_name=name, actor=None)


def first(reference):
    """The best suggestion of the line with this bank reference, or None."""
    return LineSuggestion.objects.filter(line__bank_reference=reference, position=0).first()


def statement(*entries):
    for index, entry in enumerate(entries):
        entry.setdefault("day", DAY)
        entry.setdefault("ref", f"T{index}")
    return import_statement(data=camt053(entries), file_name="t.xml", actor=None)


def test_the_march_statements_are_matched_rule_by_rule(bank_cast, deposited_slip):
    load("camt053_v02_credit_cooperatif.xml")
    load("camt053_v08_credit_cooperatif.xml")
    expected = {
        "CC2026030200001": ("rf", "sure", 101),  # Léa Durand's RF, her 50 € pledge
        "CC2026030400003": ("member_ref", "sure", 102),  # "CAC-000102" in the label
        "CC2026031000005-2": ("amount_name", "likely", 105),  # "GARCON HELENE", 20 €
        "CC2026031400007": ("amount_name", "likely", 104),  # "MME JEANNE MOREAU", 50 €
        "CC2026031800011": ("rf", "likely", 103),  # the RF, but 150 € of a 200 € pledge
        "CC2026032000012": ("known_iban", "likely", 106),  # Marc Petit's account
        "CC2026032400013": ("rf", "sure", 107),  # "rf26 cac0 0010 7a20 26" in lower case
    }
    for reference, (rule, confidence, number) in expected.items():
        suggestion = first(reference)
        assert (suggestion.rule, suggestion.confidence) == (rule, confidence), reference
        member = bank_cast[number]
        assert suggestion.member == member
        assert suggestion.pledge == member.pledges.get()
        assert suggestion.year == STATEMENT_YEAR
    slip = first("CC2026030500004")
    assert (slip.rule, slip.confidence, slip.deposit_slip) == (
        "slip_total",
        "likely",
        deposited_slip,
    )
    for nothing in ("CC2026031000005-1", "CC2026031200006"):  # a stranger's gift, a subsidy
        assert first(nothing) is None


def test_a_member_reference_is_read_however_it_is_written(bank_cast):
    paul = bank_cast[102]
    for index, label in enumerate(["adhesion cac 102", "CAC000102", "Cac_0102 merci"]):
        statement({"amount": "100.00", "label": label, "ref": f"R{index}"})
    assert LineSuggestion.objects.filter(member=paul, confidence="sure").count() == 3


def test_without_an_open_pledge_of_that_amount_a_reference_is_only_likely(bank_cast):
    statement({"amount": "75.00", "label": "CAC-000102"})
    suggestion = LineSuggestion.objects.get()
    assert (suggestion.confidence, suggestion.pledge.amount) == ("likely", Decimal("100.00"))


def test_an_rf_whose_pledge_is_paid_points_at_the_member_for_that_year(bank_cast):
    lea = bank_cast[101]
    PaymentFactory(member=lea, pledge=lea.pledges.get(), year=STATEMENT_YEAR, amount=50)
    statement({"amount": "50.00", "rf": creditor_reference(lea.pledges.get())})
    suggestion = LineSuggestion.objects.get()
    assert (suggestion.member, suggestion.pledge, suggestion.year) == (lea, None, STATEMENT_YEAR)
    assert suggestion.confidence == "likely"


def test_two_members_named_on_one_line_are_neither_sure(bank_cast):
    lea, paul = bank_cast[101], bank_cast[102]
    statement(
        {"amount": "50.00", "rf": creditor_reference(lea.pledges.get()), "label": "CAC-000102"}
    )
    suggestions = LineSuggestion.objects.order_by("position")
    assert [(s.member, s.confidence) for s in suggestions] == [(lea, "likely"), (paul, "likely")]


def test_an_account_learned_without_a_pledge_of_that_amount_is_only_possible(bank_cast):
    statement({"amount": "35.00", "iban": "FR1420041010050500013M02606", "name": "PETIT"})
    suggestion = LineSuggestion.objects.get()
    assert (suggestion.rule, suggestion.confidence) == ("known_iban", "possible")
    assert suggestion.member == bank_cast[106]


def test_a_name_is_compared_without_accents_case_or_civility(bank_cast):
    statement(
        {"amount": "20.00", "name": "mme helene GARCON", "ref": "A"},
        {"amount": "20.00", "name": "GARÇON", "ref": "B"},  # the last name alone
        {"amount": "20.00", "name": "Hélène Dupuis", "ref": "C"},  # not her last name
        {"amount": "21.00", "name": "Hélène Garçon", "ref": "D"},  # not her amount
    )
    assert (first("A").rule, first("A").confidence) == ("amount_name", "likely")
    assert (first("B").rule, first("B").confidence) == ("amount_name", "possible")
    assert first("C") is None and first("D") is None


def test_an_organisation_is_found_by_its_acronym(bank_cast):
    statement({"amount": "200.00", "name": "ADQ"})
    assert LineSuggestion.objects.get().member == bank_cast[103]


def test_a_slip_is_proposed_only_within_ten_days_of_its_deposit(bank_cast, deposited_slip):
    statement(
        {"amount": "130.00", "day": datetime.date(2026, 3, 13), "label": "REMISE", "ref": "IN"},
        {"amount": "130.00", "day": datetime.date(2026, 3, 14), "label": "REMISE", "ref": "OUT"},
        {"amount": "130.00", "day": datetime.date(2026, 3, 2), "label": "REMISE", "ref": "EARLY"},
    )
    assert first("IN").deposit_slip == deposited_slip
    assert first("OUT") is None and first("EARLY") is None


def test_matching_again_finds_what_was_not_there_before(cac):
    statement({"amount": "60.00", "label": "VIR CAC-009999"})
    line = BankLine.objects.get()
    assert not line.suggestions.exists()
    member = IndividualFactory()
    line.label = f"VIR {member.reference}"
    line.save()
    PledgeFactory(member=member, year=STATEMENT_YEAR, amount=Decimal("60.00"))
    assert match_lines() == 1
    assert line.suggestions.get().confidence == "sure"


def _queries_to_match(lines):
    match_lines(lines)  # warm the content types and the like
    with CaptureQueriesContext(connection) as queries:
        match_lines(lines)
    return len(queries)


def test_matching_does_not_query_per_line(bank_cast, deposited_slip):
    members = [IndividualFactory(last_name=f"Payeur{i}") for i in range(40)]
    for member in members:
        PledgeFactory(member=member, year=STATEMENT_YEAR, amount=Decimal("30.00"))
    statement(
        *[
            {
                "amount": "30.00",
                "label": member.reference if i % 3 else "",
                "name": member.last_name,
                "iban": "FR1420041010050500013M02606" if i % 5 == 0 else "",
                "ref": f"Q{i}",
            }
            for i, member in enumerate(members)
        ]
    )
    lines = list(BankLine.objects.order_by("pk"))
    assert _queries_to_match(lines[:4]) == _queries_to_match(lines) <= 12
    assert KnownPayerAccount.objects.count() == 1
