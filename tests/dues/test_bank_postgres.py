"""Two desks confirming the same bank line at once, on PostgreSQL: exactly one payment."""

import datetime

import pytest

from dues.models import BankLine, Payment
from dues.references import creditor_reference
from dues.services.reconciliation import LineHandled, confirm_line, confirm_sure_lines
from dues.services.statements import import_statement
from tests.factories import IndividualFactory, PledgeFactory
from tests.helpers import camt053, run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def outcome(call):
    """The call's result, or the exception it raised (run_at_once lets the first one out)."""

    def run():
        try:
            return call()
        except Exception as error:
            return error

    return run


def test_two_confirmations_of_one_line_record_one_payment(cac):
    for attempt in range(5):
        member = IndividualFactory()
        other = IndividualFactory()
        entry = {"day": datetime.date(2026, 3, 2), "amount": "50.00", "ref": f"PG{attempt}"}
        import_statement(data=camt053([entry]), file_name="pg.xml", actor=None)
        line = BankLine.objects.get(bank_reference=f"PG{attempt}")
        outcomes = run_at_once(
            [
                outcome(lambda line=line, m=member: confirm_line(line, member=m, actor=None)),
                outcome(lambda line=line, m=other: confirm_line(line, member=m, actor=None)),
            ]
        )
        assert sum(isinstance(o, Payment) for o in outcomes) == 1, outcomes
        assert sum(isinstance(o, LineHandled) for o in outcomes) == 1, outcomes
        assert Payment.objects.filter(bank_line=line).count() == 1


def test_two_bulk_confirmations_at_once_record_each_sure_line_once(cac):
    members = [IndividualFactory() for _ in range(6)]
    entries = []
    for index, member in enumerate(members):
        pledge = PledgeFactory(member=member, year=2026)
        entries.append(
            {
                "day": datetime.date(2026, 3, 2 + index),
                "amount": "50.00",
                "rf": creditor_reference(pledge),
                "ref": f"BULK{index}",
            }
        )
    import_statement(data=camt053(entries), file_name="pg.xml", actor=None)
    outcomes = run_at_once([outcome(lambda: confirm_sure_lines(actor=None)) for _ in range(2)])
    recorded = [payment for payments, _skipped in outcomes for payment in payments]
    assert len(recorded) == 6
    assert Payment.objects.count() == 6
    assert sorted(p.member_id for p in Payment.objects.all()) == sorted(m.pk for m in members)
