"""The collective, the charter and the privacy notice in force, as every public page reads
them: from each process's memory, computed again after an administrator's edit
(`cac_portal.published`). Read-only: a form that edits the collective loads its own row
(`Collective.load()`)."""

from django.db.models.signals import post_delete, post_save

from cac_portal import published
from charter.models import Charter, Collective, Principle, PrivacyNotice


def collective():
    """The collective's row (None before `load_cac_defaults`), for display only."""
    return published.remember("charter.collective", Collective.load)


def _current_charter():
    return Charter.objects.prefetch_related("principles").current()


def current_charter():
    """The charter in force with its principles (`charter.principles.all()`: no query)."""
    return published.remember("charter.charter", _current_charter)


def current_privacy_notice():
    return published.remember("charter.privacy_notice", PrivacyNotice.objects.current)


def connect():
    for model in (Collective, Charter, Principle, PrivacyNotice):
        post_save.connect(published.changed, sender=model, dispatch_uid=f"published.{model}")
        post_delete.connect(published.changed, sender=model, dispatch_uid=f"published.del.{model}")
