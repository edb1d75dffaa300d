"""CGI art. 222 bis: each year, the count and total of the fiscal receipts issued for the gifts
received the year before, declared to the tax administration (by the deadline of art. 223: the
second working day after 1 May for a calendar year), and what the treasurer declared.

Invariant: the figures are those of the valid fiscal receipts (individuals' summaries and
companies' receipts) by year of the gifts (`Receipt.fiscal_year`); a declaration keeps the
figures of its day, and the difference with today's figures is what is left to declare.
"""

import dataclasses
import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from members import audit
from members.models import AuditEntry
from receipts.models import Declaration, Receipt

AUDITED_FIELDS = ["year", "declared_on", "count", "total"]


def declaration_deadline(year):
    """The second working day (Monday to Friday) after 1 May of the year after the gifts."""
    day, working = datetime.date(year + 1, 5, 1), 0
    while working < 2:
        day += datetime.timedelta(days=1)
        working += day.weekday() < 5
    return day


def fiscal_totals():
    """{year of the gifts: (count, total)} of the valid fiscal receipts."""
    rows = (
        Receipt.objects.valid()
        .filter(is_fiscal=True)
        .values("fiscal_year")
        .annotate(count=Count("pk"), total=Sum("amount"))
    )
    return {row["fiscal_year"]: (row["count"], row["total"]) for row in rows}


@dataclasses.dataclass
class YearFigures:
    year: int
    count: int
    total: Decimal
    deadline: datetime.date
    declaration: Declaration | None

    @property
    def count_difference(self):
        return self.count - self.declaration.count if self.declaration else 0

    @property
    def total_difference(self):
        return self.total - self.declaration.total if self.declaration else Decimal("0")

    @property
    def changed_since_declared(self):
        return bool(self.declaration) and bool(self.count_difference or self.total_difference)


def yearly_figures():
    """One row per year of gifts with fiscal receipts or a declaration, latest first."""
    totals = fiscal_totals()
    declarations = {d.year: d for d in Declaration.objects.all()}
    years = sorted(set(totals) | set(declarations), reverse=True)
    return [
        YearFigures(
            year=year,
            count=totals.get(year, (0, None))[0],
            total=totals.get(year, (0, None))[1] or Decimal("0.00"),
            deadline=declaration_deadline(year),
            declaration=declarations.get(year),
        )
        for year in years
    ]


def _check_date(year, declared_on):
    if declared_on > timezone.localdate():
        raise ValidationError(
            {"declared_on": _("Cette date est à venir : indiquez le jour de la déclaration.")}
        )
    if declared_on.year <= year:
        raise ValidationError(
            {
                "declared_on": _(
                    "Date impossible : les dons de %(year)s se déclarent à partir du 1er "
                    "janvier %(next)s."
                )
                % {"year": year, "next": year + 1}
            }
        )


def record_declaration(year, *, declared_on, actor):
    """Record that the gifts of `year` were declared on `declared_on`, with today's figures
    frozen in the record (recording again, after a correction, freezes the new figures).
    One transaction, one audit entry with the figures before and after."""
    year = int(year)
    _check_date(year, declared_on)
    with transaction.atomic():
        count, total = fiscal_totals().get(year, (0, Decimal("0.00")))
        declaration = Declaration.objects.select_for_update().filter(year=year).first()
        before = audit.snapshot(declaration, AUDITED_FIELDS) if declaration else {}
        declaration = declaration or Declaration(year=year)
        declaration.declared_on, declaration.count, declaration.total = declared_on, count, total
        declaration.declared_by = audit.acting_user(actor)
        declaration.recorded_at = timezone.now()
        declaration.save()
        audit.record(
            declaration,
            AuditEntry.Action.DECLARATION_RECORDED,
            actor=actor,
            before=before,
            after=audit.snapshot(declaration, AUDITED_FIELDS),
        )
    return declaration
