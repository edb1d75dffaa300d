"""The campaign year: dues are asked and counted per calendar year.

Which years and dates are possible at all: dues years from the collective's first year to the
next campaign (or the last scale an administrator prepared), dates received neither in the
future nor before the collective's first 1 January. The forms and the services check the same
rules with the same French words.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cac_portal import published as published_cache
from charter import published as charter_published
from charter.models import FIRST_POSSIBLE_YEAR
from dues import published
from dues.models import Scale


def current_year():
    return timezone.localdate().year


def first_year():
    """The collective's first year (the 1901 law's year before the collective is set up)."""
    collective = charter_published.collective()
    return collective.founded_year if collective is not None else FIRST_POSSIBLE_YEAR


def _last_scale_year():
    return Scale.objects.aggregate(last=Max("year"))["last"] or 0


def dues_years():
    """The years dues may be for: from the collective's first year to the latest of next year
    and the last scale's year."""
    last_scale = published_cache.remember("dues.last_scale_year", _last_scale_year)
    return range(first_year(), max(current_year() + 1, last_scale) + 1)


def received_years():
    """The years a payment can have been received in (so the years of fiscal receipts)."""
    return range(first_year(), current_year() + 1)


def _raise(message, code, field):
    raise ValidationError({field: ValidationError(message, code=code)} if field else message)


def validate_dues_year(year, field=None):
    """ValidationError unless `year` is in `dues_years()`; under `field` when given (services)."""
    years = dues_years()
    if not isinstance(year, int) or year not in years:
        _raise(
            _("L'année doit être comprise entre %(first)s et %(last)s.")
            % {"first": years[0], "last": years[-1]},
            "year_range",
            field,
        )


def _validate_past_date(day, field, *, future, too_early):
    if not isinstance(day, datetime.date):
        _raise(_("Saisissez une date valide."), "invalid", field)
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    if day > timezone.localdate():
        _raise(future, "future", field)
    first = first_year()
    if day < datetime.date(first, 1, 1):
        _raise(too_early % {"year": first}, "too_early", field)


def validate_received_on(day, field=None):
    """A date received: not in the future, not before the collective's first 1 January."""
    _validate_past_date(
        day,
        field,
        future=_("La date de réception ne peut pas être dans le futur."),
        too_early=_(
            "La date de réception ne peut pas être antérieure au 1er janvier %(year)s, "
            "première année du collectif."
        ),
    )


def validate_signed_on(day, field=None):
    """A form's date of signature: same window as a date received."""
    _validate_past_date(
        day,
        field,
        future=_("La date de signature ne peut pas être dans le futur."),
        too_early=_(
            "La date de signature ne peut pas être antérieure au 1er janvier %(year)s, "
            "première année du collectif."
        ),
    )


def scale_for(year):
    """The scale of `year`, else the latest one before it (a year nobody set up yet), with
    its tiers (`scale.tiers_of(kind)`); kept between requests (`dues.published`): read-only."""
    return published.scale_for(year)
