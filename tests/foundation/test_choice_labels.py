"""Rows' choice labels (`get_FOO_display`), kept one dictionary per field
(`cac_portal.choices`): the same labels as Django's, in the page's language."""

from django.utils import translation

from dues.models import Payment, PaymentMethod, PaymentStatus
from members.models import Member, MemberKind


def test_the_labels_are_the_choices_in_the_language_of_the_page():
    payment = Payment(method=PaymentMethod.CHEQUE, status=PaymentStatus.RECEIVED)
    with translation.override("fr"):
        french = payment.get_method_display()
        assert french == str(PaymentMethod.CHEQUE.label)
    with translation.override("en"):
        english = payment.get_method_display()
        assert english == str(PaymentMethod.CHEQUE.label)
    assert french != english
    assert Member(kind=MemberKind.ORGANISATION).get_kind_display() == str(
        MemberKind.ORGANISATION.label
    )


def test_a_value_outside_the_choices_shows_as_itself():
    assert Payment(method="carrier-pigeon").get_method_display() == "carrier-pigeon"
    assert Payment(method=None).get_method_display() is None
