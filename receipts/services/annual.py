"""The January batch's planner and inserter: a group of members decided and issued in a few
statements, on the same rows and rules as `issuing.issue_annual_receipt` member by member.

`plan_group` runs inside the group's transaction: it locks the members' rows in one statement
(in primary key order, so two workers on overlapping groups wait for each other rather than
deadlock), reads their valid summaries of the year and their uncovered payments in one
statement each, and decides each member's `Outcome`. Under that lock nobody else can issue a
summary for these members until the group commits. `insert_summaries` then builds, numbers
and inserts the new summaries together; the unique constraints stay the backstop (the caller
falls back to the member-by-member path if they fire).
"""

import dataclasses
import logging

from django.db import connection, transaction
from django.utils import timezone

from members import audit
from members.models import Member, MemberKind
from receipts.models import Receipt, ReceiptKind, ReceiptLine
from receipts.services.issuing import (
    Outcome,
    build_lines,
    build_receipt,
    fiscal_payments,
    issued_entry,
)
from receipts.services.numbering import take_receipt_numbers

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class GroupPlan:
    """What a group's members need, as read under their lock."""

    fiscal_year: int
    members: dict  # member id -> Member
    outcomes: dict = dataclasses.field(default_factory=dict)  # member id -> Outcome
    to_create: dict = dataclasses.field(default_factory=dict)  # member id -> [Payment]
    to_reissue: dict = dataclasses.field(default_factory=dict)  # member id -> Receipt


def _uncovered_by_member(member_ids, fiscal_year):
    uncovered = {}
    payments = (
        fiscal_payments(fiscal_year)
        .filter(member_id__in=member_ids)
        .exclude(receipt_lines__is_valid=True)
        .select_related("pledge")
        .order_by("member_id", "received_on", "pk")
    )
    for payment in payments:
        uncovered.setdefault(payment.member_id, []).append(payment)
    return uncovered


def _decide(member, existing, payments):
    if existing is not None:
        return Outcome.REISSUED if payments else Outcome.EXISTING
    if payments and member.kind == MemberKind.INDIVIDUAL:
        return Outcome.CREATED
    return Outcome.NOTHING


def plan_group(member_ids, fiscal_year):
    """Lock and read a group's members; decide each one. Runs inside the group's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("plan_group() must run inside transaction.atomic()")
    members = Member.objects.select_for_update().filter(pk__in=member_ids).order_by("pk")
    plan = GroupPlan(fiscal_year=fiscal_year, members={m.pk: m for m in members})
    ids = list(plan.members)
    existing = {
        receipt.member_id: receipt
        for receipt in Receipt.objects.valid().filter(
            member_id__in=ids, fiscal_year=fiscal_year, kind=ReceiptKind.ANNUAL
        )
    }
    uncovered = _uncovered_by_member(ids, fiscal_year)
    for member_id, member in plan.members.items():
        payments = uncovered.get(member_id, [])
        outcome = _decide(member, existing.get(member_id), payments)
        plan.outcomes[member_id] = outcome
        if outcome == Outcome.CREATED:
            plan.to_create[member_id] = payments
        elif outcome == Outcome.REISSUED:
            plan.to_reissue[member_id] = existing[member_id]
    return plan


def build_summaries(plan, *, beneficiary, actor, failures):
    """The planned summaries' rows, not saved. A member whose summary cannot be built (its
    details cannot be copied) is added to `failures` and left out; the others go on."""
    receipts = []
    for member_id, payments in plan.to_create.items():
        try:
            receipt = build_receipt(
                member=plan.members[member_id],
                kind=ReceiptKind.ANNUAL,
                is_fiscal=True,
                fiscal_year=plan.fiscal_year,
                payments=payments,
                actor=actor,
                beneficiary=beneficiary,
            )
        except Exception as exc:
            logger.exception("annual receipt of member %s failed", member_id)
            failures[member_id] = f"{type(exc).__name__}: {exc}"
            continue
        receipt._planned_payments = payments
        receipts.append(receipt)
    return receipts


def insert_summaries(receipts, *, actor):
    """Number built summaries in one locked step and insert them, their lines and their audit
    entries, each kind of row in one statement. Run it in a savepoint: an IntegrityError leaves
    the members to the member-by-member path."""
    if not receipts:
        return []
    issued_on = timezone.localdate()
    numbers = take_receipt_numbers(issued_on, len(receipts))
    for receipt, number in zip(receipts, numbers, strict=True):
        receipt.number, receipt.issued_on = number, issued_on
    if connection.features.can_return_rows_from_bulk_insert:
        Receipt.objects.bulk_create(receipts)
    else:
        for receipt in receipts:
            receipt.save(force_insert=True)
    lines = []
    for receipt in receipts:
        own = build_lines(receipt, receipt._planned_payments)
        # Rendering right after reads the lines from here rather than from the database.
        receipt._prefetched_objects_cache = {"lines": own}
        lines += own
    ReceiptLine.objects.bulk_create(lines)
    audit.record_many([issued_entry(receipt, actor=actor) for receipt in receipts])
    return receipts
