"""On the production stack: concurrent issuers on PostgreSQL, a real Celery worker on Redis."""

import contextlib
import datetime
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from cac_portal.celery import app as celery_app
from dues.services import record_payment
from receipts.models import Receipt
from receipts.services import issue_annual_receipt, issue_organisation_receipt
from tests.factories import IndividualFactory, OrganisationFactory
from tests.helpers import LAST_YEAR, numbers_are_continuous, pay, pdf_text, run_at_once

CELERY = Path(sys.executable).with_name("celery")
# The worker is another process: the suite's clock (time-machine) does not reach it, so these
# tests run on the machine's clock, the test's and the worker's alike, and derive their years
# from it (under `faketime` in CI, the moved one).
REAL_WORKER = pytest.mark.real_clock("a real Celery worker process runs on the machine's clock")


def last_year():
    """The year whose receipts the January batch issues, on the machine's clock."""
    return timezone.localdate().year - 1


def _required(name):
    return os.environ.get(name, "") not in ("", "0", "false", "no")


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
    assert numbers_are_continuous(Receipt.objects.values_list("number", flat=True))


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

    def __init__(self, broker_url, email_dir, **env):
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
            # What the workers queue themselves (the sweep, a batch) stays on the test's queue.
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            **env,
        }
        self.processes = []
        self.email_dir = email_dir

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
@REAL_WORKER
@pytest.mark.django_db(transaction=True)
def test_real_worker_turns_a_recorded_cheque_into_a_receipt(workers, cac, staff_user, tmp_path):
    process = workers.start()
    emails = tmp_path / "emails"
    company = OrganisationFactory(name="Scop du Port", email="port@example.org")
    payment = record_payment(
        member=company,
        amount=Decimal("250"),
        method="cheque",
        received_on=timezone.localdate(),
        year=timezone.localdate().year,
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
@REAL_WORKER
@pytest.mark.django_db(transaction=True)
def test_worker_killed_in_the_middle_of_the_batch_then_run_again(workers, cac, settings):
    from receipts.models import AnnualBatch
    from receipts.services import issue_annual_receipts

    # One chunk, so the killed worker holds all of it; it commits 20 receipts at a time
    # (batch.GROUP), so the kill falls between two groups.
    settings.CELERY_BATCH_CHUNK_SIZE = 1000
    people = [IndividualFactory(email="") for _ in range(50)]
    for person in people:
        pay(person, "15", year=last_year())

    first = workers.start()
    issue_annual_receipts(last_year(), actor=None)
    wait_for(lambda: Receipt.objects.count() >= 3, first, timeout=60)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    issued_before_the_kill = Receipt.objects.count()
    assert issued_before_the_kill < len(people), "killed in the middle, not after the end"

    second = workers.start()
    batch = issue_annual_receipts(last_year(), actor=None)
    assert batch.queued == len(people) - issued_before_the_kill
    assert batch.total == len(people), "the progress counts every summary of the year"
    wait_for(
        lambda: AnnualBatch.objects.get(pk=batch.pk).status == AnnualBatch.Status.DONE,
        second,
        timeout=90,
    )
    for person in people:
        assert Receipt.objects.filter(member=person).count() == 1
    assert numbers_are_continuous(Receipt.objects.values_list("number", flat=True))
    # The receipt whose rendering the kill interrupted is rendered by the second run.
    wait_for(lambda: not Receipt.objects.filter(pdf="").exists(), second, timeout=30)


class PrivateRedis:
    """A redis-server of the test's own on a free port: stopped and started again, it is the
    broker outage, without touching the machine's Redis."""

    def __init__(self, tmp_path):
        server = shutil.which("redis-server")
        if server is None:
            pytest.fail("the broker-outage test needs redis-server (the machine's Redis)")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.command = [server, "--port", str(self.port), "--bind", "127.0.0.1"]
        self.command += ["--save", "", "--appendonly", "no", "--dir", str(tmp_path)]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.1)
        pytest.fail("the private redis-server did not start")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@contextlib.contextmanager
def web_side_broker(url):
    """Point this process's Celery app (the web side that queues tasks) at `url`: its pools
    of connections and producers are made anew, and put back afterwards."""
    conf = celery_app.conf
    keys = ("broker_url", "broker_write_url", "broker_read_url")
    previous = [conf[key] for key in keys], celery_app._pool, celery_app.amqp._producer_pool
    for key in keys:
        conf[key] = url
    celery_app._pool = celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        for key, value in zip(keys, previous[0], strict=True):
            conf[key] = value
        celery_app._pool, celery_app.amqp._producer_pool = previous[1:]


def send_like_beat(name):
    """What celery beat does with a schedule entry: send the task by name, no argument."""
    celery_app.send_task(name)


@pytest.mark.postgres
@pytest.mark.celery_worker
@REAL_WORKER
@pytest.mark.django_db(transaction=True)
def test_after_a_broker_outage_the_sweep_on_the_real_worker_catches_up(cac, staff_user, tmp_path):
    redis = PrivateRedis(tmp_path)
    redis.start()
    pool = Workers(redis.url, tmp_path / "emails")
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = pool.queue
    try:
        with web_side_broker(redis.url):
            _outage_then_sweep(pool, redis, staff_user)
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        pool.stop_all()
        redis.stop()


def _cheque(member, number, staff_user):
    return record_payment(
        member=member,
        amount=Decimal("90"),
        method="cheque",
        received_on=timezone.localdate(),
        year=timezone.localdate().year,
        cheque_number=number,
        actor=staff_user,
    )


def _receipt_of(payment):
    return Receipt.objects.filter(lines__payment=payment).order_by("pk").first()


def _outage_then_sweep(pool, redis, staff_user):
    from dues.models import Payment
    from dues.services import reject_payment

    worker = pool.start()
    before = _cheque(OrganisationFactory(email="avant@example.org"), "8800001", staff_user)
    wait_for(lambda: getattr(_receipt_of(before), "email_status", "") == "sent", worker)

    redis.stop()  # the outage: what is saved now cannot be handed to the worker
    during = [
        _cheque(OrganisationFactory(email=f"pendant{n}@example.org"), f"880001{n}", staff_user)
        for n in range(3)
    ]
    reject_payment(before, reason="Chèque sans provision", actor=staff_user)
    assert Payment.objects.filter(pk__in=[p.pk for p in during]).count() == 3, "all saved"
    assert not Receipt.objects.filter(lines__payment__in=during).exists()
    assert _receipt_of(before).status == "issued", "its cancellation could not be queued"

    redis.start()  # the broker is back; six minutes later, beat sends the sweep
    Payment.objects.filter(pk__in=[p.pk for p in during]).update(
        created_at=timezone.now() - datetime.timedelta(minutes=6)
    )
    send_like_beat("receipts.tasks.sweep_receipts")

    def caught_up():
        receipts = [_receipt_of(payment) for payment in during]
        return _receipt_of(before).status == "cancelled" and all(
            receipt is not None and receipt.email_status == "sent" for receipt in receipts
        )

    wait_for(caught_up, worker, timeout=90)
    emails = " ".join(path.read_text(errors="replace") for path in pool.email_dir.iterdir())
    for n in range(3):
        assert f"pendant{n}@example.org" in emails


@pytest.mark.postgres
@pytest.mark.celery_worker
@REAL_WORKER
@pytest.mark.django_db(transaction=True)
def test_a_batch_whose_worker_was_killed_is_finished_by_the_sweep_and_every_email_sent(
    broker_url, cac, settings, tmp_path
):
    from receipts.models import AnnualBatch
    from receipts.services import issue_annual_receipts

    settings.CELERY_BATCH_CHUNK_SIZE = 1000  # one chunk: the killed worker holds all of it
    people = [IndividualFactory(email=f"donateur{n}@example.org") for n in range(60)]
    for person in people:
        pay(person, "15", year=last_year())
    # The second worker runs the sweep with no grace: the first one's death is long past.
    pool = Workers(
        broker_url,
        tmp_path / "emails",
        RECEIPTS_BATCH_STALL_SECONDS="0",
        RECEIPTS_EMAIL_GRACE_SECONDS="0",
        RECEIPTS_SWEEP_GRACE_SECONDS="0",
    )
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = pool.queue
    try:
        first = pool.start()
        batch = issue_annual_receipts(last_year(), actor=None)
        wait_for(lambda: Receipt.objects.count() >= 3, first, timeout=60)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert Receipt.objects.count() < len(people), "killed in the middle, not after the end"
        progress = [AnnualBatch.objects.get(pk=batch.pk).done]

        second = pool.start()
        send_like_beat("receipts.tasks.sweep_receipts")

        def finished():
            progress.append(AnnualBatch.objects.get(pk=batch.pk).done)
            return AnnualBatch.objects.get(pk=batch.pk).status == AnnualBatch.Status.DONE

        wait_for(finished, second, timeout=120)
        send_like_beat("receipts.tasks.sweep_receipts")  # the emails a group left queued
        wait_for(
            lambda: not Receipt.objects.exclude(email_status="sent").exists(), second, timeout=60
        )
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        pool.stop_all()

    assert progress == sorted(progress), f"the progress never went back: {progress}"
    for person in people:
        assert Receipt.objects.filter(member=person).count() == 1
    assert numbers_are_continuous(Receipt.objects.values_list("number", flat=True))
    assert not Receipt.objects.filter(pdf="").exists()
    emails = " ".join(path.read_text(errors="replace") for path in pool.email_dir.iterdir())
    for person in people:
        assert person.email in emails, f"{person.email} got their receipt"


@pytest.mark.postgres
@pytest.mark.celery_worker
@REAL_WORKER
@pytest.mark.django_db(transaction=True)
def test_real_worker_imports_a_big_file_of_members(workers, cac, staff_user):
    from dues.models import MemberImport
    from dues.services.imports import confirm_import, upload_import
    from members.models import Member

    lines = ["Nom;Prénom;Adresse;Code postal;Ville;Courriel"] + [
        f"Nom{i};Léa;{i} rue des Lilas;75011;Paris;lea{i}@example.org" for i in range(1200)
    ]
    member_import = upload_import("\r\n".join(lines).encode(), "gros.csv", actor=staff_user)
    process = workers.start()
    queued = confirm_import(member_import, actor=staff_user)
    assert queued.status == MemberImport.Status.QUEUED, "over 1 000 lines: a worker's job"

    wait_for(
        lambda: MemberImport.objects.get(pk=member_import.pk).status == "done",
        process,
        timeout=120,
    )
    done = MemberImport.objects.get(pk=member_import.pk)
    assert (done.processed, done.result["counts"]["create"]) == (1200, 1200)
    assert Member.objects.filter(first_name="Léa").count() == 1200
    assert not done.file, "the uploaded file is not kept"
