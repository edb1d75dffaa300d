"""The dues scales as the public form reads them: from each process's memory, with their
tiers, computed again after an administrator's edit (`cac_portal.published`). Read-only."""

from django.db.models.signals import post_delete, post_save

from cac_portal import published
from dues.models import Scale, Tier


def _scale_for(year):
    scales = Scale.objects.prefetch_related("tiers")
    return (
        scales.filter(year__lte=year).order_by("-year").first() or scales.order_by("year").first()
    )


def scale_for(year):
    """The scale of `year`, else the latest one before it, else the first one; tiers
    prefetched (`scale.tiers_of(kind)`: no query)."""
    return published.remember(f"dues.scale.{year}", lambda: _scale_for(year))


def connect():
    for model in (Scale, Tier):
        post_save.connect(published.changed, sender=model, dispatch_uid=f"published.{model}")
        post_delete.connect(published.changed, sender=model, dispatch_uid=f"published.del.{model}")
