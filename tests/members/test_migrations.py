"""The migrations of issue 11 on rows made before them: each account linked to a member becomes
its owner, every member gets its folded search text, every pledge its reference, and a cheque
already booked on two members does not stop the new constraint (the later one is flagged)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("members", "0004_audit_actions_of_fiscal_receipts"),
    ("dues", "0005_corporate_rate_is_not_printed_any_more"),
]
AFTER = [
    ("members", "0008_audit_actions_for_duplicates_merges_and_accesses"),
    ("dues", "0007_one_cheque_across_members"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps():
    apps = migrate(BEFORE)
    yield apps
    # Back to the whole project's latest state for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_existing_rows_come_through(old_apps, django_user_model):
    User = old_apps.get_model("auth", "User")
    Member = old_apps.get_model("members", "Member")
    Pledge = old_apps.get_model("dues", "Pledge")
    Payment = old_apps.get_model("dues", "Payment")
    user = User.objects.create(username="lea", email="lea@example.org")
    lea = Member.objects.create(
        kind="individual",
        reference="CAC-000001",
        last_name="Jaurès",
        first_name="Léa",
        phone_mobile="+33612345678",
        user=user,
    )
    other = Member.objects.create(kind="individual", reference="CAC-000002", last_name="Autre")
    pledge = Pledge.objects.create(member=lea, year=2026, purpose="adhesion", amount=50)
    cheque = {"method": "cheque", "cheque_number": "5550001", "bank": "CIC", "amount": 50}
    day = datetime.date(2026, 3, 2)
    first = Payment.objects.create(member=lea, year=2026, received_on=day, **cheque)
    second = Payment.objects.create(member=other, year=2026, received_on=day, **cheque)

    apps = migrate(AFTER)
    Access = apps.get_model("members", "Access")
    access = Access.objects.get()
    assert (access.member_id, access.user_id, access.role) == (lea.pk, user.pk, "owner")
    text = apps.get_model("members", "Member").objects.get(pk=lea.pk).search_text
    assert "jaures" in text and "cac-000001" in text and "0612345678" in text
    assert apps.get_model("dues", "Pledge").objects.get(pk=pledge.pk).reference == (
        f"P2026-{pledge.pk:06d}"
    )
    payments = apps.get_model("dues", "Payment").objects
    assert payments.get(pk=first.pk).duplicate_confirmed is False
    assert payments.get(pk=second.pk).duplicate_confirmed is True
    assert payments.get(pk=second.pk).amount == Decimal("50.00")
