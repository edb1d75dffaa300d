"""How staff find members: every typed word, folded like `Member.search_text` (no accents, no
case), must be in that column; a reference (`CAC-123`, `123`) also finds its member exactly,
and the reference of a merged record finds the record it was merged into.

The desk's search and its JSON, the members list, the merge page and the duplicates check all
search through here, so "Jaures" finds "Jaurès" everywhere, on PostgreSQL and SQLite alike.
"""

import re

from django.db.models import Q

from members.models import Member, fold

REFERENCE = re.compile(r"(?:CAC-?)?0*(\d{1,6})", re.IGNORECASE)


def reference_of(word):
    """`CAC-000123` for "cac-123", "CAC000123" or "123"; None for anything else."""
    number = REFERENCE.fullmatch(word)
    return f"CAC-{int(number[1]):06d}" if number else None


def survivor_of(member):
    """The record `member` was merged into, following merges of merges; itself if not merged."""
    seen = set()
    while member.merged_into_id is not None and member.pk not in seen:
        seen.add(member.pk)
        member = member.merged_into
    return member


def merged_references(query):
    """{survivor's pk: [merged references]} for the references of merged records in `query`:
    what the desk shows as "CAC-000004 → fusionné dans CAC-000003"."""
    references = {ref for word in query.split() if (ref := reference_of(word))}
    found = {}
    for merged in Member.objects.filter(reference__in=references, merged_into__isnull=False):
        found.setdefault(survivor_of(merged).pk, []).append(merged.reference)
    return found


def _word_condition(word, redirects):
    condition = Q(search_text__contains=fold(word))
    reference = reference_of(word)
    if reference:
        condition |= Q(reference=reference)
        survivors = [pk for pk, refs in redirects.items() if reference in refs]
        if survivors:
            condition |= Q(pk__in=survivors)
    return condition


def search_members(query, members=None):
    """The open members (neither closed nor merged) matching every word of `query`; none for
    an empty query. `members` narrows the search (a queryset of `Member`)."""
    words = query.split()
    if not words:
        return Member.objects.none()
    redirects = merged_references(query)
    members = (Member.objects.all() if members is None else members).open()
    for word in words:
        members = members.filter(_word_condition(word, redirects))
    return members
