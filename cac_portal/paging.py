"""Pages of long lists that cost the same on page 1 and page 1 000: keyset pagination.

"Next" and "previous" carry the last (first) row's ordering values in the URL (`apres`,
`avant`): the database starts reading at that row through the ordering's index instead of
reading and throwing away every row before it (OFFSET). A page number typed or bookmarked
(`page=N`) still works: its rows' keys are found with an OFFSET over the ordering's index alone
(no join, no other column), then the rows themselves are read by key.

The ordering must be unique (end with the primary key or a unique column) and in one direction.
The count is the caller's (usually computed once with the list's totals).
"""

import math
from collections.abc import Sequence

from django.db.models import Q
from django.http import QueryDict

SEPARATOR = "~"


def _positive(value, default=1):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


class _Paginator:
    """What the page templates read of Django's paginator."""

    def __init__(self, count, per_page):
        self.count = count
        self.per_page = per_page
        self.num_pages = max(1, math.ceil(count / per_page))


class KeysetPage(Sequence):
    """A page of rows with Django's Page interface, and the links to its neighbours
    (`previous_query`, `next_query`: query strings, filters kept)."""

    def __init__(self, rows, *, number, paginator, previous_query, next_query):
        self.object_list = rows
        self.number = number
        self.paginator = paginator
        self.previous_query = previous_query
        self.next_query = next_query

    def __len__(self):
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    def has_next(self):
        return self.number < self.paginator.num_pages

    def has_previous(self):
        return self.number > 1

    def has_other_pages(self):
        return self.has_next() or self.has_previous()

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1


class Keyset:
    """The unique ordering of a list: `Keyset(queryset.model, ["received_on", "pk"],
    descending=True)`."""

    def __init__(self, model, keys, *, descending=False):
        self.model = model
        self.keys = keys
        self.descending = descending

    def order(self, reverse=False):
        prefix = "-" if self.descending != reverse else ""
        return [prefix + key for key in self.keys]

    def _field(self, key):
        return self.model._meta.pk if key == "pk" else self.model._meta.get_field(key)

    def values_of(self, row):
        return [getattr(row, key) for key in self.keys]

    def encode(self, row):
        return SEPARATOR.join(
            self._field(key).value_to_string(row) if key != "pk" else str(row.pk)
            for key in self.keys
        )

    def decode(self, text):
        """The keys' values from a cursor, or None for anything malformed."""
        parts = (text or "").split(SEPARATOR)
        if len(parts) != len(self.keys):
            return None
        try:
            return [
                self._field(key).to_python(part) for key, part in zip(self.keys, parts, strict=True)
            ]
        except Exception:  # noqa: BLE001 (any malformed cursor is simply ignored)
            return None

    def beyond(self, values, reverse=False):
        """The rows after `values` in this ordering (before them with `reverse`), written so
        that the first key bounds an index scan."""
        later = "lt" if self.descending != reverse else "gt"
        first = "lte" if later == "lt" else "gte"
        condition = Q()
        for depth, key in enumerate(self.keys):
            equal = dict(zip(self.keys[:depth], values[:depth], strict=True))
            condition |= Q(**equal, **{f"{key}__{later}": values[depth]})
        return Q(**{f"{self.keys[0]}__{first}": values[0]}) & condition


def _rows_at(queryset, keyset, number, size):
    """Page `number` by OFFSET over the ordering's keys alone, then the rows by key."""
    if number == 1:
        return list(queryset.order_by(*keyset.order())[:size])
    keys = list(
        queryset.order_by(*keyset.order()).values_list("pk", flat=True)[
            (number - 1) * size : number * size
        ]
    )
    rows = {row.pk: row for row in queryset.filter(pk__in=keys)}
    return [rows[pk] for pk in keys if pk in rows]


def _link(params, **cursor):
    query = QueryDict(mutable=True)
    query.update(params)
    for name in ("page", "apres", "avant"):
        query.pop(name, None)
    for name, value in cursor.items():
        query[name] = value
    return query.urlencode()


def keyset_page(params, queryset, keyset, *, size, count):
    """The page of `queryset` (in `keyset`'s order) that `params` (request.GET) asks for:
    after the cursor `apres`, before `avant`, else page number `page` (1 by default)."""
    paginator = _Paginator(count, size)
    number = min(_positive(params.get("page")), paginator.num_pages)
    after = keyset.decode(params.get("apres")) if params.get("apres") else None
    before = keyset.decode(params.get("avant")) if params.get("avant") else None
    if after is not None:
        rows = list(queryset.filter(keyset.beyond(after)).order_by(*keyset.order())[:size])
    elif before is not None:
        older = queryset.filter(keyset.beyond(before, reverse=True))
        rows = list(older.order_by(*keyset.order(reverse=True))[:size])[::-1]
    else:
        rows = _rows_at(queryset, keyset, number, size)
    page = KeysetPage(rows, number=number, paginator=paginator, previous_query="", next_query="")
    if rows and page.has_next():
        page.next_query = _link(params, page=number + 1, apres=keyset.encode(rows[-1]))
    if rows and page.has_previous():
        page.previous_query = _link(params, page=number - 1, avant=keyset.encode(rows[0]))
    return page
