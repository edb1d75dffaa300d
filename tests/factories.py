"""factory_boy factories for every model the tests build."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from dues.models import DepositSlip, Payment, PaymentMethod, Pledge, Purpose
from members.models import Access, Correspondent, Member, MemberKind


def _owned_by(member, create, user, **kwargs):
    """`Factory(user=someone)`: that account owns the member (an owner's access)."""
    if create and user is not None:
        Access.objects.create(member=member, user=user, role=Access.Role.OWNER)


class IndividualFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    user = factory.PostGeneration(_owned_by)

    kind = MemberKind.INDIVIDUAL
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    first_name = "Claire"
    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    street = "12 rue des Lilas"
    postal_code = "75020"
    city = "Paris"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    user = factory.PostGeneration(_owned_by)

    kind = MemberKind.ORGANISATION
    name = factory.Sequence(lambda n: f"Association numéro {n}")
    acronym = factory.Sequence(lambda n: f"AN{n}")
    email = factory.Sequence(lambda n: f"structure{n}@example.org")
    street = "3 place de la République"
    postal_code = "69001"
    city = "Lyon"
    annual_budget = Decimal("15000")


class CorrespondentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Correspondent

    member = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Correspondant {n}")
    function = "Trésorière"
    email = factory.Sequence(lambda n: f"correspondant{n}@example.org")


class PledgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pledge

    member = factory.SubFactory(IndividualFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    purpose = Purpose.ADHESION
    amount = Decimal("50.00")


class PaymentFactory(factory.django.DjangoModelFactory):
    """A received cheque, created directly (no signal, no audit): for tests that need rows."""

    class Meta:
        model = Payment

    member = factory.SubFactory(IndividualFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    method = PaymentMethod.CHEQUE
    amount = Decimal("50.00")
    received_on = factory.LazyFunction(timezone.localdate)
    cheque_number = factory.Sequence(lambda n: f"{1000000 + n}")
    bank = "Crédit Coopératif"
    drawer = factory.LazyAttribute(lambda p: p.member.display_name)


class DepositSlipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DepositSlip

    number = factory.Sequence(lambda n: f"BR-{timezone.localdate().year}-{n + 1:03d}")
    year = factory.LazyFunction(lambda: timezone.localdate().year)


def last_year_date(month=6, day=15):
    return datetime.date(timezone.localdate().year - 1, month, day)
