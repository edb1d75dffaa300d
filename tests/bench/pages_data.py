"""The bench's data for the pages: members, payments and receipts in bulk (bulk_create, a few
seconds), with references and search columns as `Member.save()` would have written them."""

import datetime
import uuid
from decimal import Decimal

FIRST_NAMES = ["Claire", "Jérôme", "Éloïse", "Hélène", "Noël", "Zoé", "André", "Léa"]
CITIES = ["Paris", "Lyon", "Orléans", "Besançon", "Nîmes", "Évry", "Saint-Étienne", "Brest"]


def _members(n):
    from members.models import Member, MemberKind

    rows = []
    for i in range(n):
        if i % 10 == 0:
            member = Member(
                kind=MemberKind.ORGANISATION,
                name=f"Association Bénévole {i:05d}",
                acronym=f"AB{i}",
                email=f"asso{i}@example.org",
                directory_opt_in=i % 30 == 0,
            )
        else:
            member = Member(
                kind=MemberKind.INDIVIDUAL,
                first_name=FIRST_NAMES[i % len(FIRST_NAMES)],
                last_name=f"Dupré{i:05d}",
                email=f"Person{i}@Example.org",
            )
        member.street = f"{i % 200 + 1} rue des Lilas"
        member.postal_code = "75020"
        member.city = CITIES[i % len(CITIES)]
        rows.append(member)
    return rows


def create_members(n):
    """n members (one organisation in ten), with their references and search columns."""
    from members.models import Member, search_text_of

    start = (Member.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    rows = _members(n)
    for pk, member in enumerate(rows, start=start):
        member.pk = pk
        member.reference = f"CAC-{pk:06d}"
        member.search_text = search_text_of(member)
    Member.objects.bulk_create(rows, batch_size=2000)
    _reset_sequence(Member)
    return rows


def _reset_sequence(model):
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), [model])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def create_payments(members, n, year):
    from dues.models import Payment, PaymentMethod

    rows = []
    for i in range(n):
        member = members[i % len(members)]
        cheque = i % 2 == 0
        rows.append(
            Payment(
                member=member,
                year=year - (i % 3 == 2),
                method=PaymentMethod.CHEQUE if cheque else PaymentMethod.TRANSFER,
                amount=Decimal(20 + i % 7 * 10),
                received_on=datetime.date(year - (i % 3 == 2), 1 + i % 11, 1 + i % 28),
                cheque_number=str(3000000 + i) if cheque else "",
                bank="Crédit Coopératif" if cheque else "",
            )
        )
    Payment.objects.bulk_create(rows, batch_size=2000)
    if rows[0].pk is None:
        rows = list(Payment.objects.order_by("pk"))
    return rows


def _receipt(number, payment, kind):
    from django.utils import timezone

    from receipts.models import Receipt

    member = payment.member
    return Receipt(
        number=number,
        verification_token=uuid.uuid4().hex,
        kind=kind,
        is_fiscal=True,
        member=member,
        fiscal_year=payment.received_on.year,
        amount=payment.amount,
        issued_on=payment.received_on,
        issued_at=timezone.now(),
        donor_kind=member.kind,
        donor_name=member.name or f"{member.first_name} {member.last_name}",
        donor_address=f"{member.street}\n{member.postal_code} {member.city}",
        donor_email=member.email,
    )


def create_receipts(payments, n):
    """n receipts, each with its line: every organisation's payment first (organisations get
    theirs at once), then individuals' payments (their yearly summaries)."""
    from members.models import MemberKind
    from receipts.models import Receipt, ReceiptKind, ReceiptLine

    ordered = sorted(payments, key=lambda p: p.member.kind != MemberKind.ORGANISATION)[:n]
    numbers = {}
    receipts = []
    for payment in ordered:
        year = payment.received_on.year
        numbers[year] = numbers.get(year, 0) + 1
        kind = (
            ReceiptKind.ORGANISATION
            if payment.member.kind == MemberKind.ORGANISATION
            else ReceiptKind.ANNUAL
        )
        receipts.append(_receipt(f"{year}-{numbers[year]:05d}", payment, kind))
    Receipt.objects.bulk_create(receipts, batch_size=2000)
    if receipts[0].pk is None:
        receipts = list(Receipt.objects.order_by("pk"))
    ReceiptLine.objects.bulk_create(
        (
            ReceiptLine(
                receipt=receipt,
                payment=payment,
                amount=payment.amount,
                received_on=payment.received_on,
                method=payment.method,
                dues_year=payment.year,
            )
            for receipt, payment in zip(receipts, ordered, strict=True)
        ),
        batch_size=2000,
    )


def populate(members=20000, payments=60000, receipts=20000):
    """The bench's data, unless the database has it already (a DATABASE_URL kept between
    runs); then ANALYZE, as after any bulk load."""
    from django.db import connection
    from django.utils import timezone

    from members.models import Member

    if Member.objects.count() < members:
        rows = create_members(members)
        made = create_payments(rows, payments, timezone.localdate().year)
        create_receipts(made, receipts)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
