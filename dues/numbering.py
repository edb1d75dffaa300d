"""Gap-free numbers: the counter row is locked in the caller's transaction."""

from django.db import transaction

from dues.models import Counter


def take_next(name, year, count=1):
    """The next value of counter `name` for `year` — or the first of the next `count` values,
    reserved together; must run inside the inserting transaction.

    Two callers wait for each other on the row lock; a rollback undoes the increment with the
    insert, so no number is lost or used twice.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_next() must run inside transaction.atomic()")
    counter = Counter.objects.select_for_update().filter(name=name, year=year).first()
    if counter is None:
        # The year's first number: create the row (two first callers race on the unique
        # constraint, which get_or_create settles), then lock it like any other time.
        Counter.objects.get_or_create(name=name, year=year)
        counter = Counter.objects.select_for_update().get(name=name, year=year)
    first = counter.last_value + 1
    counter.last_value += count
    counter.save(update_fields=["last_value"])
    return first
