"""Two workers on one batch, on PostgreSQL: the PDFs a chunk is rendering are its own. The
batch's last task (`render_missing_pdfs`), which a second worker may run while the chunk is
still rendering, leaves them alone instead of rendering them a second time."""

import threading

import pytest
from django.db import connection

from cac_portal.celery import app as celery_app
from receipts import tasks
from receipts.models import AnnualBatch, Receipt
from receipts.services import batch as batch_service
from receipts.services import issue_annual_receipts, rendering
from tests.factories import IndividualFactory
from tests.helpers import LAST_YEAR, numbers_are_continuous, pay

# slow: WeasyPrint renders whole January batches
pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def other_worker(task_name, *args):
    """Run a task by name as another worker would: its own thread and database connection."""
    result = {}

    def run():
        try:
            result["value"] = celery_app.tasks[task_name].apply(args=args).get()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    return result.get("value")


def test_render_missing_pdfs_leaves_alone_the_group_a_chunk_is_rendering(cac, monkeypatch):
    people = [IndividualFactory(email="") for _ in range(6)]
    for person in people:
        pay(person, "30")
    batch = AnnualBatch.objects.create(fiscal_year=LAST_YEAR, total=len(people))
    real = rendering.render_pdf
    renders = []
    by_the_other_worker = []

    def render_while_the_last_task_runs(receipt, **kwargs):
        renders.append(receipt.number)
        if len(renders) == 1:  # the chunk's group is committed, its rendering has begun
            by_the_other_worker.append(
                other_worker("receipts.tasks.render_missing_pdfs", LAST_YEAR)
            )
        return real(receipt, **kwargs)

    monkeypatch.setattr(rendering, "render_pdf", render_while_the_last_task_runs)
    batch_service.run_chunk(batch.pk, [person.pk for person in people])

    assert by_the_other_worker == [0], "the other worker rendered the chunk's receipts"
    assert sorted(renders) == sorted(Receipt.objects.values_list("number", flat=True))
    assert len(renders) == len(people), "each PDF rendered once"
    assert not Receipt.objects.filter(pdf="").exists()
    assert AnnualBatch.objects.get(pk=batch.pk).status == "done"


def test_render_missing_pdfs_renders_what_no_one_is_rendering(cac, monkeypatch):
    """A killed worker's group (committed, never rendered) is the last task's to render."""
    people = [IndividualFactory(email="") for _ in range(4)]
    for person in people:
        pay(person, "30")
    monkeypatch.setattr(batch_service, "ensure_pdfs", lambda receipts: [])  # the kill
    monkeypatch.setattr(tasks.render_missing_pdfs, "apply_async", lambda args: None)  # lost
    issue_annual_receipts(LAST_YEAR, actor=None)
    assert Receipt.objects.filter(pdf="").count() == 4
    monkeypatch.undo()

    assert celery_app.tasks["receipts.tasks.render_missing_pdfs"].apply(args=[LAST_YEAR]).get() == 4
    assert not Receipt.objects.filter(pdf="").exists()
    assert AnnualBatch.objects.get().status == "done"
    assert numbers_are_continuous()
