"""On the production stack: concurrent issuers on PostgreSQL, a real Celery worker on Redis."""

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from cac_portal.celery import app as celery_app
from dues.services import record_payment
from receipts.models import Receipt
from receipts.services import issue_annual_receipt, issue_organisation_receipt
from tests.factories import IndividualFactory, OrganisationFactory
from tests.receipts.conftest import LAST_YEAR, pay, pdf_text

CELERY = Path(sys.executable).with_name("celery")


def _required(name):
    return os.environ.get(name, "") not in ("", "0", "false", "no")


def run_at_once(calls):
    """Run each call in its own thread and database connection, released together."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=10)
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def assert_continuous(numbers):
    year = datetime.date.today().year
    values = sorted(int(n.removeprefix(f"{year}-")) for n in numbers)
    assert values == list(range(1, len(values) + 1)), "no gap, no duplicate"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_issuers_take_each_number_once(cac):
    payments = [pay(OrganisationFactory(), "10") for _ in range(8)]
    people = [IndividualFactory() for _ in range(4)]
    for person in people:
        pay(person, "25")
    calls = []
    for payment in payments:  # each payment asked twice at once: a double message
        calls += [lambda p=payment.pk: issue_organisation_receipt(p, actor=None)] * 2
    for person in people:
        calls += [lambda m=person.pk: issue_annual_receipt(m, LAST_YEAR, actor=None)[0]] * 2
    results = run_at_once(calls)

    assert Receipt.objects.count() == len(payments) + len(people)
    for first, second in zip(results[::2], results[1::2], strict=True):
        assert first.pk == second.pk, "the second issuer got the first one's receipt"
    assert_continuous(Receipt.objects.values_list("number", flat=True))


@pytest.fixture
def broker_url():
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis://"):
        if _required("REQUIRE_POSTGRES") or _required("CI"):
            pytest.fail("the real-worker test needs CELERY_BROKER_URL=redis://... in CI")
        pytest.skip("needs a broker: set CELERY_BROKER_URL=redis://...")
    return url


class Workers:
    """Real worker processes on a queue of their own, on the test database and media folder."""

    def __init__(self, broker_url, email_dir):
        self.queue = f"test-{uuid.uuid4().hex[:12]}"
        db = settings.DATABASES["default"]
        self.env = {
            **os.environ,
            "DATABASE_URL": (
                f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@"
                f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
            ),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "EMAIL_URL": f"file://{email_dir}",
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
        }
        self.processes = []

    def start(self):
        process = subprocess.Popen(
            [str(CELERY), "-A", "cac_portal", "worker", "--pool=solo", "--concurrency=1"]
            + ["-Q", self.queue, "-n", f"{uuid.uuid4().hex[:8]}@%h", "-l", "info"]
            + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def workers(broker_url, transactional_db, tmp_path):
    pool = Workers(broker_url, tmp_path / "emails")
    # Celery's settings object cannot be monkeypatched (its undo deletes): set and restore.
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = pool.queue
    try:
        yield pool
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        pool.stop_all()


def wait_for(predicate, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if process.poll() is not None:
            break
        time.sleep(0.3)
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=15)[0].decode(errors="replace")
    pytest.fail(f"the worker did not do it in {timeout} s; its log:\n{output[-4000:]}")


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_turns_a_recorded_cheque_into_a_receipt(workers, cac, staff_user, tmp_path):
    process = workers.start()
    emails = tmp_path / "emails"
    company = OrganisationFactory(name="Scop du Port", email="port@example.org")
    payment = record_payment(
        member=company,
        amount=Decimal("250"),
        method="cheque",
        received_on=datetime.date.today(),
        year=datetime.date.today().year,
        cheque_number="9900001",
        actor=staff_user,
    )

    def emailed():
        receipt = Receipt.objects.filter(lines__payment=payment).first()
        return receipt is not None and receipt.emailed_at is not None

    wait_for(emailed, process, timeout=60)
    receipt = Receipt.objects.get(lines__payment=payment)
    assert receipt.pdf and len(receipt.pdf_sha256) == 64
    from receipts.services.rendering import stored_pdf

    text = pdf_text(stored_pdf(receipt))
    assert receipt.number in text and "deux cent cinquante euros" in text
    (email_file,) = list(emails.iterdir())
    content = email_file.read_text(errors="replace")
    assert "port@example.org" in content and f"recu-{receipt.number}.pdf" in content


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_worker_killed_in_the_middle_of_the_batch_then_run_again(workers, cac, settings):
    from receipts.models import AnnualBatch
    from receipts.services import issue_annual_receipts

    # One chunk, so the killed worker holds all of it; it commits 20 receipts at a time
    # (batch.GROUP), so the kill falls between two groups.
    settings.CELERY_BATCH_CHUNK_SIZE = 1000
    people = [IndividualFactory(email="") for _ in range(50)]
    for person in people:
        pay(person, "15")

    first = workers.start()
    issue_annual_receipts(LAST_YEAR, actor=None)
    wait_for(lambda: Receipt.objects.count() >= 3, first, timeout=60)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    issued_before_the_kill = Receipt.objects.count()
    assert issued_before_the_kill < len(people), "killed in the middle, not after the end"

    second = workers.start()
    batch = issue_annual_receipts(LAST_YEAR, actor=None)
    assert batch.total == len(people) - issued_before_the_kill
    wait_for(
        lambda: AnnualBatch.objects.get(pk=batch.pk).status == AnnualBatch.Status.DONE,
        second,
        timeout=90,
    )
    for person in people:
        assert Receipt.objects.filter(member=person).count() == 1
    assert_continuous(Receipt.objects.values_list("number", flat=True))
    # The receipt whose rendering the kill interrupted is rendered by the second run.
    wait_for(lambda: not Receipt.objects.filter(pdf="").exists(), second, timeout=30)
