"""The admin an administrator uses: every registered model lists, searches and opens; issued
receipts are read-only and cannot be deleted."""

import pytest
from django.contrib import admin
from django.urls import reverse

from dues.services.statements import import_statement
from receipts.models import Receipt
from receipts.services import issue_annual_receipt
from tests import clock
from tests.factories import CorrespondentFactory, DepositSlipFactory, PaymentFactory, PledgeFactory
from tests.helpers import camt053, member_of

pytestmark = pytest.mark.django_db

OURS = {"charter", "members", "dues", "receipts"}


@pytest.fixture
def rows(cac, member_user):
    member = member_of(member_user)
    PledgeFactory(member=member, year=clock.LAST_YEAR)
    PaymentFactory(member=member, year=clock.LAST_YEAR, received_on=clock.in_last_year(6, 15))
    CorrespondentFactory()
    DepositSlipFactory()
    statement = camt053([{"day": clock.in_last_year(3, 2), "amount": "50.00", "ref": "ADM"}])
    import_statement(data=statement, file_name="releve.xml", actor=None)
    receipt, _ = issue_annual_receipt(member.pk, clock.LAST_YEAR, actor=None)
    return receipt


def our_models():
    return [model for model in admin.site._registry if model._meta.app_label in OURS]


def test_every_model_of_ours_is_registered():
    names = {f"{m._meta.app_label}.{m.__name__}" for m in our_models()}
    assert {
        "charter.Collective",
        "charter.Charter",
        "charter.Acceptance",
        "members.Member",
        "members.AuditEntry",
        "dues.Scale",
        "dues.Pledge",
        "dues.Payment",
        "dues.DepositSlip",
        "receipts.Receipt",
        "receipts.AnnualBatch",
    } <= names


def test_every_changelist_search_and_change_page_opens(client, superuser, rows):
    client.force_login(superuser)
    for model in our_models():
        info = (model._meta.app_label, model._meta.model_name)
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        assert client.get(changelist).status_code == 200, changelist
        assert client.get(changelist, {"q": "CAC-0"}).status_code == 200, changelist
        obj = model.objects.first()
        if obj is not None:
            change = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
            assert client.get(change).status_code == 200, change


def test_issued_receipts_are_read_only_and_never_deleted(client, superuser, rows):
    client.force_login(superuser)
    receipt = rows
    change = reverse("admin:receipts_receipt_change", args=[receipt.pk])
    page = client.get(change).content.decode()
    assert receipt.number in page
    assert 'name="amount"' not in page
    assert client.post(change, {"amount": "1.00"}).status_code == 403
    delete = reverse("admin:receipts_receipt_delete", args=[receipt.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:receipts_receipt_changelist")
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [receipt.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    receipt.refresh_from_db()
    assert Receipt.objects.filter(pk=receipt.pk, amount=receipt.amount).exists()


# Money is written only through the services (audit trail, gap-free numbers, receipts): the admin
# reads payments, deposit slips, receipts and batches, and refuses every write, even to a superuser.
MONEY_MODELS = {
    "dues.payment": {
        "member": "1",
        "year": "2025",
        "method": "cheque",
        "amount": "50.00",
        "received_on": "2025-03-01",
        "status": "received",
    },
    "dues.depositslip": {"number": "BR-2026-999", "year": "2026", "created_at_0": "2026-01-01"},
    "receipts.receipt": {"kind": "annual", "fiscal_year": "2025", "amount": "1.00"},
    "receipts.annualbatch": {"fiscal_year": "2031", "status": "done", "total": "0"},
}


@pytest.fixture
def money_rows(rows):
    from receipts.models import AnnualBatch

    AnnualBatch.objects.create(fiscal_year=clock.LAST_YEAR, status="done", total=1)
    return rows


@pytest.mark.parametrize("label", sorted(MONEY_MODELS))
def test_the_admin_reads_money_but_never_writes_it(client, superuser, money_rows, label):
    from django.apps import apps

    model = apps.get_model(label)
    app, name = label.split(".")
    client.force_login(superuser)
    before = model.objects.count()
    obj = model.objects.first()
    snapshot = model.objects.values().get(pk=obj.pk)
    data = MONEY_MODELS[label]

    add = reverse(f"admin:{app}_{name}_add")
    assert client.get(add).status_code == 403, add
    assert client.post(add, data).status_code == 403, add

    change = reverse(f"admin:{app}_{name}_change", args=[obj.pk])
    page = client.get(change)
    assert page.status_code == 200, change
    for field in data:
        assert f'name="{field}"' not in page.content.decode(), (change, field)
    assert client.post(change, data).status_code == 403, change

    delete = reverse(f"admin:{app}_{name}_delete", args=[obj.pk])
    assert client.get(delete).status_code == 403, delete
    assert client.post(delete, {"post": "yes"}).status_code == 403, delete
    changelist = reverse(f"admin:{app}_{name}_changelist")
    client.post(
        changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )

    assert model.objects.count() == before
    assert model.objects.values().get(pk=obj.pk) == snapshot
    assert f'href="{add}"' not in client.get(changelist).content.decode()
