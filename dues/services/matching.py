"""Matching the bank's credit lines to members, pledges and deposit slips, by themselves.

The rules, in the order they are tried (`MatchRule`):
1. the RF creditor reference of a pledge in the remittance information → that member's open
   pledge of that year;
2. a member reference ("CAC-000123", "cac 123") in the label;
3. the payer's IBAN, learned when staff confirmed an earlier line of that member;
4. the total of a deposited slip, credited within ten days of its deposit (a slip, not a
   payment);
5. the amount of an open pledge and a payer's name close to that pledge's member's (accents,
   case and word order aside).

"Sure" is kept for rules 1 and 2 on an open pledge of exactly the line's amount: those can be
confirmed in bulk. Everything a batch of lines needs is loaded in a fixed number of queries,
whatever the number of lines: nothing here queries per line.
"""

import dataclasses
import datetime
import re
import unicodedata
from collections import defaultdict

from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from dues.models import (
    BankLine,
    BankLineStatus,
    Confidence,
    DepositSlip,
    KnownPayerAccount,
    LineSuggestion,
    MatchRule,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Pledge,
)
from dues.references import find_creditor_references, find_member_references
from members.models import Member, MemberKind

# A slip's credit shows on the statement within this many days of its deposit.
SLIP_CREDIT_DAYS = 10
# A transfer logged by hand is dated within this many days of the bank's booking date.
RECORDED_DAYS = 10
MAX_SUGGESTIONS = 5
# The payments that use a line up (a cancelled one gives it back).
LIVE_PAYMENTS = [PaymentStatus.RECEIVED, PaymentStatus.REJECTED]
RANK = {Confidence.SURE: 0, Confidence.LIKELY: 1, Confidence.POSSIBLE: 2}
# Words of a bank's label or a name that say nothing of who paid.
NOISE = frozenset(
    {
        *("mr", "mme", "mlle", "mm", "me", "dr", "monsieur", "madame", "mademoiselle"),
        *("ou", "et", "de", "du", "des", "la", "le", "les", "au", "aux", "en", "the", "of"),
        *("vir", "virement", "sepa", "recu", "inst", "instantane", "ref", "reference", "motif"),
        *("cotisation", "adhesion", "don", "association", "asso", "assoc", "collectif"),
    }
)


def lines_to_review(lines=None):
    """Open lines (of `lines`, a queryset; all by default) that no live payment uses: what
    matching and staff work on."""
    lines = BankLine.objects.all() if lines is None else lines
    return lines.filter(status=BankLineStatus.OPEN).exclude(payments__status__in=LIVE_PAYMENTS)


def open_pledges():
    """Pledges no received payment covers yet (the rule of `pledges.open_pledge`), of open
    members."""
    return Pledge.objects.exclude(payments__status=PaymentStatus.RECEIVED).filter(
        member__closed_at__isnull=True
    )


def name_tokens(text):
    """The words of a name as compared: no accents, no case, no civility nor banking noise."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    return {word for word in re.split(r"[^a-z0-9]+", text) if len(word) > 1} - NOISE


def member_names(member):
    """(the ways the member's name may be written, each a set of words; the words one of
    which must be there). A person: first and last name, the last name required; an
    organisation: its name, or its acronym alone."""
    if member.kind == MemberKind.ORGANISATION:
        names = [name_tokens(member.name), name_tokens(member.acronym)]
        names = [name for name in names if name]
        return names, set().union(*names)
    full = name_tokens(f"{member.first_name} {member.last_name}")
    return ([full] if full else []), name_tokens(member.last_name)


# What matching reads of a member: its name, its kind and its reference.
MEMBER_FIELDS = ("kind", "reference", "first_name", "last_name", "name", "acronym")


@dataclasses.dataclass
class Candidate:
    rule: str
    confidence: str
    evidence: str = ""
    member: Member | None = None
    pledge: Pledge | None = None
    year: int | None = None
    deposit_slip: DepositSlip | None = None
    payment: Payment | None = None

    @property
    def target(self):
        return tuple(
            getattr(self, name).pk if getattr(self, name) else None
            for name in ("member", "pledge", "deposit_slip", "payment")
        )


def _best_pledge(pledges, booking_year):
    """The pledge a payment most likely pays: the booking year's first, then the nearest."""
    return min(pledges, key=lambda p: (abs(p.year - booking_year), -p.year, -p.pk))


class Context:
    """What matching a batch of lines needs, loaded in bulk."""

    def __init__(self, lines):
        self.lines = lines
        self.texts = {line.pk: f"{line.label} {line.counterparty_name}" for line in lines}
        self.creditor_refs = {pk: find_creditor_references(t) for pk, t in self.texts.items()}
        self.member_refs = {pk: find_member_references(t) for pk, t in self.texts.items()}
        self._load_members()
        self._load_pledges()
        self._load_slips()
        self._load_recorded()

    def _load_members(self):
        references = {ref.member_reference for refs in self.creditor_refs.values() for ref in refs}
        references |= {ref for refs in self.member_refs.values() for ref in refs}
        self.by_reference = {
            member.reference: member
            for member in Member.objects.filter(
                reference__in=references, closed_at__isnull=True
            ).only(*MEMBER_FIELDS)
        }
        ibans = {line.counterparty_iban for line in self.lines if line.counterparty_iban}
        self.known = defaultdict(list)
        for known in (
            KnownPayerAccount.objects.filter(iban__in=ibans, member__closed_at__isnull=True)
            .select_related("member")
            .only("iban", *(f"member__{f}" for f in MEMBER_FIELDS))
        ):
            self.known[known.iban].append(known.member)

    def _pledges(self):
        """The open pledges of the members the references and accounts name, and those of a
        line's amount and year (give or take one): one query."""
        member_ids = {m.pk for m in self.by_reference.values()}
        member_ids |= {m.pk for members in self.known.values() for m in members}
        amounts = {line.amount for line in self.lines}
        years = {line.booking_date.year + shift for line in self.lines for shift in (-1, 0, 1)}
        return (
            open_pledges()
            .filter(Q(member_id__in=member_ids) | Q(amount__in=amounts, year__in=years))
            .select_related("member")
            .only("member_id", "year", "amount", *(f"member__{f}" for f in MEMBER_FIELDS))
        )

    def _load_pledges(self):
        """Each member's open pledges, and an index (amount, word of a name) → pledges."""
        self.by_member = defaultdict(list)
        self.by_amount_and_word = defaultdict(list)
        self.names = {}
        for pledge in self._pledges():
            self.by_member[pledge.member_id].append(pledge)
            self._index(pledge)

    def _index(self, item):
        """A pledge or a logged transfer under its amount and each word of its member's name."""
        if item.member_id not in self.names:
            self.names[item.member_id] = member_names(item.member)
        names, _required = self.names[item.member_id]
        for word in set().union(*names):
            self.by_amount_and_word[(item.amount, word)].append(item)

    def _load_slips(self):
        if not self.lines:
            self.slips = {}
            return
        first = min(line.booking_date for line in self.lines)
        last = max(line.booking_date for line in self.lines)
        since = datetime.datetime.combine(
            first - datetime.timedelta(days=SLIP_CREDIT_DAYS), datetime.time.min
        )
        slips = DepositSlip.objects.filter(
            deposited_at__gte=timezone.make_aware(since),
            deposited_at__lte=timezone.make_aware(
                datetime.datetime.combine(last, datetime.time.max)
            ),
            credited_on__isnull=True,
            bank_credit__isnull=True,
        ).annotate(total=Sum("payments__amount"))
        self.slips = defaultdict(list)
        for slip in slips:
            self.slips[slip.total].append(slip)

    def _load_recorded(self):
        """Transfers staff logged by hand (no bank line) of a line's amount, around its date:
        {(member, amount): [payments]}."""
        self.recorded = defaultdict(list)
        if not self.lines:
            return
        window = datetime.timedelta(days=RECORDED_DAYS)
        payments = Payment.objects.filter(
            method=PaymentMethod.TRANSFER,
            status=PaymentStatus.RECEIVED,
            bank_line__isnull=True,
            amount__in={line.amount for line in self.lines},
            received_on__gte=min(line.booking_date for line in self.lines) - window,
            received_on__lte=max(line.booking_date for line in self.lines) + window,
        ).select_related("member")
        fields = ("member_id", "year", "amount", "received_on")
        for payment in payments.only(*fields, *(f"member__{f}" for f in MEMBER_FIELDS)):
            self.recorded[(payment.member_id, payment.amount)].append(payment)
            self._index(payment)

    def already_recorded(self, member, line):
        """The transfer of `member` already logged by hand that `line` most likely is."""
        days = datetime.timedelta(days=RECORDED_DAYS)
        logged = [
            p
            for p in self.recorded.get((member.pk, line.amount), [])
            if abs(p.received_on - line.booking_date) <= days
        ]
        return min(logged, key=lambda p: abs(p.received_on - line.booking_date), default=None)

    def for_member(self, rule, member, line, evidence, *, year=None, equal, other):
        """The candidate of `member` for `line`: the open pledge of `year` (any year when None)
        of the line's amount gives `equal`, any other open pledge or none gives `other`."""
        pledges = [p for p in self.by_member[member.pk] if year is None or p.year == year]
        same = [p for p in pledges if p.amount == line.amount]
        candidate = Candidate(
            rule=rule,
            confidence=equal if same else other,
            evidence=evidence,
            member=member,
            year=year or line.booking_date.year,
        )
        if pledges:
            candidate.pledge = _best_pledge(same or pledges, line.booking_date.year)
            candidate.year = candidate.pledge.year
        return _or_recorded(self, candidate, line)


def _or_recorded(context, candidate, line):
    """A member whose transfer of that amount staff already logged by hand: the line is that
    payment's bank side (never a second payment, never sure)."""
    payment = context.already_recorded(candidate.member, line)
    if payment is None:
        return candidate
    return dataclasses.replace(
        candidate,
        confidence=Confidence.LIKELY
        if candidate.confidence == Confidence.SURE
        else candidate.confidence,
        payment=payment,
        pledge=None,
        year=payment.year,
    )


def _by_creditor_reference(context, line):
    for reference in context.creditor_refs[line.pk]:
        member = context.by_reference.get(reference.member_reference)
        if member is not None:
            yield context.for_member(
                MatchRule.CREDITOR_REFERENCE,
                member,
                line,
                reference.formatted,
                year=reference.year,
                equal=Confidence.SURE,
                other=Confidence.LIKELY,
            )


def _by_member_reference(context, line):
    for reference in context.member_refs[line.pk]:
        member = context.by_reference.get(reference)
        if member is not None:
            yield context.for_member(
                MatchRule.MEMBER_REFERENCE,
                member,
                line,
                reference,
                equal=Confidence.SURE,
                other=Confidence.LIKELY,
            )


def _by_known_account(context, line):
    for member in context.known.get(line.counterparty_iban, []):
        yield context.for_member(
            MatchRule.KNOWN_ACCOUNT,
            member,
            line,
            line.counterparty_iban,
            equal=Confidence.LIKELY,
            other=Confidence.POSSIBLE,
        )


def _by_slip_total(context, line):
    slips = [
        slip
        for slip in context.slips.get(line.amount, [])
        if 0
        <= (line.booking_date - timezone.localtime(slip.deposited_at).date()).days
        <= SLIP_CREDIT_DAYS
    ]
    for slip in slips:
        yield Candidate(
            rule=MatchRule.SLIP_TOTAL,
            confidence=Confidence.LIKELY if len(slips) == 1 else Confidence.POSSIBLE,
            evidence=slip.number,
            deposit_slip=slip,
        )


def _name_score(names, required, tokens):
    """The best share of one way of writing the member's name found in the payer's words;
    0 when none of the required words (the last name) is there."""
    if not required & tokens:
        return 0
    return max(len(name & tokens) / len(name) for name in names)


def _named(context, item, score, line):
    """The candidate of a pledge (or of a transfer logged by hand) whose member's name the
    payer's resembles."""
    candidate = Candidate(
        rule=MatchRule.AMOUNT_AND_NAME,
        confidence=Confidence.LIKELY if score == 1 else Confidence.POSSIBLE,
        evidence=(line.counterparty_name or line.label)[:200],
        member=item.member,
        year=item.year,
    )
    if isinstance(item, Payment):
        return dataclasses.replace(candidate, payment=item)
    return _or_recorded(context, dataclasses.replace(candidate, pledge=item), line)


def _by_amount_and_name(context, line):
    tokens = name_tokens(line.counterparty_name) or name_tokens(line.label)
    seen = {}
    for word in tokens:
        for item in context.by_amount_and_word.get((line.amount, word), []):
            seen.setdefault((type(item), item.pk), item)
    for item in seen.values():
        if isinstance(item, Payment) and context.already_recorded(item.member, line) != item:
            continue
        score = _name_score(*context.names[item.member_id], tokens)
        if score >= 0.5:
            yield _named(context, item, score, line)


RULES = [
    _by_creditor_reference,
    _by_member_reference,
    _by_known_account,
    _by_slip_total,
    _by_amount_and_name,
]


NAMING_RULES = {MatchRule.CREDITOR_REFERENCE, MatchRule.MEMBER_REFERENCE}


def suggest(context, line):
    """The line's candidates, best first: by certainty, then in the order of the rules; one
    per member and pledge (or slip). A line whose references name two members (one transfer
    for a couple?) is sure of neither."""
    candidates = {}
    for rule in RULES:
        for candidate in rule(context, line):
            candidates.setdefault(candidate.target, candidate)
    found = list(candidates.values())
    if len({c.member.pk for c in found if c.rule in NAMING_RULES}) > 1:
        for candidate in found:
            if candidate.confidence == Confidence.SURE:
                candidate.confidence = Confidence.LIKELY
    return sorted(found, key=lambda c: RANK[c.confidence])[:MAX_SUGGESTIONS]


def match_lines(lines=None):
    """(Re)compute the suggestions of the given lines that are still to review (all of them
    by default); returns how many lines got a sure suggestion.

    Invariant: a line's suggestions are replaced as a whole, in one transaction; lines already
    handled keep theirs. Safe to run again at any time (after an import, a payment undone, a
    member's reference typed on a transfer that came earlier).
    """
    if lines is not None and not isinstance(lines, QuerySet):
        lines = BankLine.objects.filter(pk__in=[line.pk for line in lines])
    queryset = lines_to_review(lines)
    lines = list(queryset)
    context = Context(lines)
    rows = []
    sure = 0
    for line in lines:
        found = suggest(context, line)
        sure += bool(found) and found[0].confidence == Confidence.SURE
        rows.extend(
            LineSuggestion(
                line=line,
                position=position,
                rule=c.rule,
                confidence=c.confidence,
                evidence=c.evidence,
                member=c.member,
                pledge=c.pledge,
                year=c.year,
                deposit_slip=c.deposit_slip,
                payment=c.payment,
            )
            for position, c in enumerate(found)
        )
    with transaction.atomic():
        LineSuggestion.objects.filter(line__in=queryset).delete()
        LineSuggestion.objects.bulk_create(rows, batch_size=1000)
    return sure
