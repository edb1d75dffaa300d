"""The campaign year: dues are asked and counted per calendar year."""

from django.utils import timezone


def current_year():
    return timezone.localdate().year
