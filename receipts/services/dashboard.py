"""The treasurer's dashboard and the general assembly's report: every figure summed or counted
by the database, in a fixed number of queries whatever the number of payments.

- Money is counted by the day it arrived (`received_on`), like the law counts gifts: received
  per month of the chosen year and per year over five years, by purpose (a payment matched to
  no pledge is an adhesion) and by kind of member; the median and average gift of the year.
- Membership is counted by dues year (`Payment.year`) of received payments: up to date in Y;
  new (first year ever), renewed (also up to date in Y-1), back (up to date before, not in
  Y-1), lapsed (up to date in Y-1, not in Y); the renewal rate is renewed / up to date in Y-1.
- Past payments taken over by an import count everywhere here (they are history); the money
  figures say how much of it came from the import, since the accountant's journal leaves them
  out (they were booked in the old books).
"""

import dataclasses
import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils.translation import gettext_lazy as _

from dues.figures import undeposited_cheques
from dues.models import Payment, Purpose
from members.models import MemberKind
from receipts.models import AnnualBatch, EmailStatus, ErrorReport, Receipt, ReceiptKind
from receipts.services.issuing import fiscal_payments

YEARS = 5
ZERO = Decimal("0.00")
# The four stacks of the money charts, in the order they are drawn.
SERIES = [
    (Purpose.ADHESION, MemberKind.INDIVIDUAL, _("Adhésions des particuliers")),
    (Purpose.ADHESION, MemberKind.ORGANISATION, _("Adhésions des organisations")),
    (Purpose.DONATION, MemberKind.INDIVIDUAL, _("Dons des particuliers")),
    (Purpose.DONATION, MemberKind.ORGANISATION, _("Dons des organisations")),
]


@dataclasses.dataclass
class MoneyRow:
    """One month or one year of money: an amount per series, and their total."""

    label: str
    amounts: list
    count: int = 0

    @property
    def total(self):
        return sum(self.amounts, ZERO)


@dataclasses.dataclass
class MembershipRow:
    year: int
    individuals: int = 0
    organisations: int = 0
    new: int = 0
    renewed: int = 0
    previous: int = 0  # up to date in year - 1

    @property
    def up_to_date(self):
        return self.individuals + self.organisations

    @property
    def back(self):
        return self.up_to_date - self.new - self.renewed

    @property
    def lapsed(self):
        return self.previous - self.renewed

    @property
    def renewal_rate(self):
        """Renewed / up to date the year before, in percent (one decimal), or None."""
        if not self.previous:
            return None
        return (Decimal(100) * self.renewed / self.previous).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


@dataclasses.dataclass
class Figures:
    year: int
    months: list  # 12 MoneyRow
    years: list  # YEARS MoneyRow, oldest first
    membership: list  # YEARS MembershipRow, oldest first
    count: int
    total: Decimal
    imported: Decimal
    average: Decimal | None
    median: Decimal | None
    series: list = dataclasses.field(default_factory=lambda: [label for *_, label in SERIES])

    @property
    def this_year(self):
        """The chosen year's row of `years`: its amounts per series."""
        return self.years[-1]


def _series_index(purpose, kind):
    return next(i for i, (p, k, _label) in enumerate(SERIES) if p == purpose and k == kind)


def _money(year):
    """One query: the received amounts of the five years up to `year`, by year, month,
    purpose, kind and whether imported."""
    return (
        Payment.objects.valid()
        .filter(
            received_on__gte=datetime.date(year - YEARS + 1, 1, 1),
            received_on__lte=datetime.date(year, 12, 31),
        )
        .annotate(
            paid_year=ExtractYear("received_on"),
            month=ExtractMonth("received_on"),
            purpose=Coalesce("pledge__purpose", Value(Purpose.ADHESION.value)),
        )
        .values("paid_year", "month", "purpose", "member__kind", "is_imported")
        .annotate(total=Sum("amount"), count=Count("pk"))
        .order_by()
    )


def _money_rows(year, rows):
    months = [MoneyRow(label=month, amounts=[ZERO] * len(SERIES)) for month in range(1, 13)]
    years = {
        y: MoneyRow(label=str(y), amounts=[ZERO] * len(SERIES))
        for y in range(year - YEARS + 1, year + 1)
    }
    imported = ZERO
    for row in rows:
        index = _series_index(row["purpose"], row["member__kind"])
        years[row["paid_year"]].amounts[index] += row["total"]
        years[row["paid_year"]].count += row["count"]
        if row["paid_year"] == year:
            months[row["month"] - 1].amounts[index] += row["total"]
            months[row["month"] - 1].count += row["count"]
            imported += row["total"] if row["is_imported"] else ZERO
    return months, list(years.values()), imported


def _membership(year):
    """One query: per dues year and kind, the members up to date, and how many of them are
    new or renewed (EXISTS on their other years' received payments)."""
    received = Payment.objects.valid()
    same_member = received.filter(member=OuterRef("member"))
    rows = (
        received.filter(year__gte=year - YEARS, year__lte=year)
        .annotate(
            renewal=Exists(same_member.filter(year=OuterRef("year") - 1)),
            seen_before=Exists(same_member.filter(year__lt=OuterRef("year"))),
        )
        .values("year", "member__kind")
        .annotate(
            members=Count("member", distinct=True),
            renewed=Count("member", distinct=True, filter=Q(renewal=True)),
            new=Count("member", distinct=True, filter=Q(seen_before=False)),
        )
        .order_by()
    )
    by_year = {y: MembershipRow(year=y) for y in range(year - YEARS, year + 1)}
    for row in rows:
        line = by_year[row["year"]]
        if row["member__kind"] == MemberKind.ORGANISATION:
            line.organisations += row["members"]
        else:
            line.individuals += row["members"]
        line.new += row["new"]
        line.renewed += row["renewed"]
    for y in range(year - YEARS + 1, year + 1):
        by_year[y].previous = by_year[y - 1].up_to_date
    return [by_year[y] for y in range(year - YEARS + 1, year + 1)]


def _median(year, count):
    """The median received amount of `year`: the middle one or two amounts in order, read in
    one query (OFFSET/LIMIT works the same on every database; SQLite has no percentile)."""
    middle = list(
        Payment.objects.valid()
        .filter(received_on__year=year)
        .order_by("amount")
        .values_list("amount", flat=True)[max(count - 1, 0) // 2 : count // 2 + 1]
    )
    if not middle or not count:
        return None
    return (sum(middle, ZERO) / len(middle)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def figures(year):
    """Every figure of the dashboard and the annual report for `year`, in three queries."""
    months, years, imported = _money_rows(year, _money(year))
    this_year = years[-1]
    count, total = this_year.count, this_year.total
    average = (total / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if count else None
    return Figures(
        year=year,
        months=months,
        years=years,
        membership=_membership(year),
        count=count,
        total=total,
        imported=imported,
        average=average,
        median=_median(year, count),
    )


def receipts_work():
    """What the receipts' machinery left waiting, for staff and treasurer: organisation
    payments still without a receipt (the sweep issues them), receipts without their PDF,
    emails that failed for good or wait for another try. Two queries."""
    waiting = (
        Payment.objects.receiptable()
        .filter(member__kind=MemberKind.ORGANISATION, receipt_lines__isnull=True)
        .count()
    )
    receipts = Receipt.objects.aggregate(
        without_pdf=Count("pk", filter=Q(pdf="")),
        failed=Count("pk", filter=Q(status="issued", email_status=EmailStatus.FAILED)),
        deferred=Count("pk", filter=Q(status="issued", email_status=EmailStatus.DEFERRED)),
    )
    return {"organisation_payments": waiting, **receipts}


def _batch(fiscal_year):
    """The January batch of `fiscal_year` with its receipts counted, or None; and how many
    individuals still wait for their summary of that year. Two queries."""
    summaries = (
        Receipt.objects.valid()
        .filter(kind=ReceiptKind.ANNUAL, fiscal_year=OuterRef("fiscal_year"))
        .exclude(pdf="")
        .order_by()
        .values("fiscal_year")
        .annotate(n=Count("pk"))
        .values("n")
    )
    batch = (
        AnnualBatch.objects.filter(fiscal_year=fiscal_year)
        .annotate(done_count=Coalesce(Subquery(summaries, output_field=IntegerField()), Value(0)))
        .first()
    )
    waiting = (
        fiscal_payments(fiscal_year)
        .filter(member__kind=MemberKind.INDIVIDUAL)
        .exclude(receipt_lines__is_valid=True)
        .values("member")
        .distinct()
        .count()
    )
    return {"fiscal_year": fiscal_year, "batch": batch, "waiting": waiting}


def pending_work(today):
    """Everything waiting for someone, in a fixed number of queries."""
    return {
        **receipts_work(),
        "reports": ErrorReport.objects.filter(resolved_at__isnull=True).count(),
        "cheques": undeposited_cheques(),
        "january": _batch(today.year - 1),
    }
