"""Acceptances: once per member and version, with the time and the source."""

from django.utils import timezone

from charter.models import Acceptance, Charter, PrivacyNotice
from charter.services import (
    accept_charter,
    accept_privacy_notice,
    last_accepted_charter,
    pending_charter,
    pending_privacy_notice,
)
from tests import clock
from tests.factories import IndividualFactory


def test_accepting_twice_keeps_the_first_acceptance(cac, staff_user):
    member = IndividualFactory()
    charter = Charter.objects.current()
    first = accept_charter(
        member, charter, accepted_at=clock.in_last_year(3, 2), source="paper", actor=staff_user
    )
    again = accept_charter(member, charter, actor=None)
    assert again.pk == first.pk
    assert Acceptance.objects.filter(member=member).count() == 1
    first.refresh_from_db()
    assert timezone.localtime(first.accepted_at).date() == clock.in_last_year(3, 2)
    assert (first.source, first.recorded_by) == ("paper", staff_user)


def test_a_newer_version_is_pending_until_accepted(cac):
    member = IndividualFactory()
    assert pending_charter(member) == Charter.objects.current()
    accept_charter(member, Charter.objects.current(), actor=None)
    accept_privacy_notice(member, PrivacyNotice.objects.current(), actor=None)
    assert pending_charter(member) is None
    assert pending_privacy_notice(member) is None
    new = Charter.objects.create(
        version=2, title="Charte", preamble="…", effective_on=timezone.localdate()
    )
    assert pending_charter(member) == new
    assert last_accepted_charter(member).version == 1
    accept_charter(member, new, actor=None)
    assert pending_charter(member) is None
    assert last_accepted_charter(member) == new
