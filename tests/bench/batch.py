"""`make bench`, the January batch: N yearly receipts through a REAL Celery worker, against
WeasyPrint alone rendering the same receipts in as many processes, in the same run.

Run as `python -m tests.bench.batch`. It starts what it needs and stops it at the end: its own
redis-server on a free port, and `celery worker --concurrency=<cores>` (prefork, the
production pool) on that broker and on DATABASE_URL. PostgreSQL is required for the batch
line: SQLite takes its one write lock for each transaction, so two worker processes rendering
their groups would wait for each other (see `rendering.ensure_pdfs`, which holds its group's
rows while it renders them); without DATABASE_URL the line says so and counts as missed.

Each of BENCH_RUNS (3) runs issues N (BENCH_BATCH_N, 2000) receipts of a fiscal year of its
own, from `issue_annual_receipts` to the batch done and every email handed to the mail
backend (a file backend in the work folder); then the same receipts' HTML, made beforehand,
is laid out by WeasyPrint alone in a pool of <cores> processes (warmed like the worker's). The
lines give the medians, the ratio and the goal; the worker's memory growth per process over
all runs; and the receipts register (CSV) at BENCH_REGISTER_N (20 000) receipts against the
house's CSV writer alone on the same rows. Exits 1 if a goal is missed.
"""

import contextlib
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

# Goals of issue 16.
RATIO_GOAL = 0.9  # the pipeline's rate against the engine alone in as many processes
TEN_THOUSAND_GOAL = 300.0  # seconds for 10 000 receipts on this machine
MEMORY_GOAL = 50.0  # MB of growth per worker process over the runs
REGISTER_GOAL = 0.5  # the register's rate against the CSV writer alone on the same rows

BASE_DIR = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Redis:
    """A redis-server of the bench's own, nothing saved to disk."""

    def __init__(self, workdir):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port)]
            + ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workdir],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.1)
        raise RuntimeError("the bench's redis-server did not start")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Worker:
    """`celery worker` with one prefork process per core, on the bench's broker and queue."""

    def __init__(self, workdir, broker_url, concurrency):
        self.queue = os.environ["CELERY_TASK_DEFAULT_QUEUE"]
        self.log = open(Path(workdir) / "worker.log", "w+b")  # noqa: SIM115 (closed in stop)
        env = {
            **os.environ,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "EMAIL_URL": f"file://{workdir}/emails",
        }
        self.process = subprocess.Popen(
            [str(CELERY), "-A", "cac_portal", "worker", "--pool=prefork"]
            + [f"--concurrency={concurrency}", "-Q", self.queue, "-n", f"{self.queue}@%h"]
            + ["-l", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.concurrency = concurrency

    def children(self):
        import psutil

        return psutil.Process(self.process.pid).children()

    def wait_ready(self, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if len(self.children()) >= self.concurrency:
                return
            time.sleep(0.2)
        raise RuntimeError(f"the worker did not start:\n{self.tail()}")

    def processes(self):
        import psutil

        return [psutil.Process(self.process.pid), *self.children()]

    def rss_mb(self):
        return {child.pid: child.memory_info().rss / 2**20 for child in self.children()}

    def tail(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def cpu_seconds(processes):
    """User and system CPU the processes have used so far (what a shared machine's other
    load does not inflate, unlike the wall clock)."""
    import psutil

    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def fiscal_years(count):
    """`count` fiscal years before this one with no batch yet (the database may have some)."""
    from django.utils import timezone

    from receipts.models import AnnualBatch

    taken = set(AnnualBatch.objects.values_list("fiscal_year", flat=True))
    years, year = [], timezone.localdate().year - 1
    while len(years) < count:
        if year not in taken:
            years.append(year)
        year -= 1
    return years


def prepare(n, year):
    from members.models import Member
    from tests.bench.receipts import create_donors

    create_donors(n, year, offset=Member.objects.count())


def run_batch(year, worker, timeout):
    """Start the batch on the worker; seconds until it is done and every email handed over."""
    from receipts.models import AnnualBatch, Receipt
    from receipts.services import issue_annual_receipts

    start = time.perf_counter()
    batch = issue_annual_receipts(year, actor=None)
    receipts = Receipt.objects.filter(fiscal_year=year, kind="annual")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        finished = AnnualBatch.objects.filter(pk=batch.pk, status="done").exists()
        if finished and not receipts.filter(email_status="queued").exists():
            return time.perf_counter() - start
        if worker.process.poll() is not None:
            break
        time.sleep(0.1)
    raise RuntimeError(f"the batch of {year} did not finish:\n{worker.tail()}")


def _engine_start(barrier):
    from receipts.services.rendering import html_to_pdf

    html_to_pdf("<p>warm-up</p>")  # the fonts and the stylesheet, as a warm worker has them
    barrier.wait()


def _engine_render(html):
    from receipts.services.rendering import html_to_pdf

    return len(html_to_pdf(html))


def engine_alone(year, processes):
    """Seconds WeasyPrint alone takes for the year's receipts in `processes` processes (their
    HTML made beforehand, the processes warmed before the clock starts)."""
    import psutil
    from django.db import connections

    from receipts.models import Receipt
    from receipts.services.rendering import receipt_html

    receipts = Receipt.objects.filter(fiscal_year=year, kind="annual").prefetch_related("lines")
    pages = [receipt_html(receipt) for receipt in receipts.order_by("pk")]
    connections.close_all()  # the forked processes must not share the database connection
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes + 1)
    with context.Pool(processes, initializer=_engine_start, initargs=(barrier,)) as pool:
        barrier.wait()
        workers = [psutil.Process(process.pid) for process in pool._pool]
        cpu = cpu_seconds(workers)
        start = time.perf_counter()
        sizes = pool.map(_engine_render, pages, chunksize=1)
        elapsed = time.perf_counter() - start
        cpu = cpu_seconds(workers) - cpu
    assert all(sizes), "every page rendered"
    return len(pages), elapsed, cpu


def bench_batch(n, runs, out, cores, workdir, redis):
    """The batch's lines; False when a goal is missed."""
    from django.conf import settings

    if redis is None:
        out.write(
            "batch: not measured: a real worker needs PostgreSQL (DATABASE_URL=postgres://...);"
            " SQLite serves one writer at a time [MISSED]\n"
        )
        return False
    worker = Worker(workdir, redis.url, cores)
    try:
        worker.wait_ready()
        warm, *years = fiscal_years(runs + 1)
        # A task for each worker process: each loads its engine and reaches its working size.
        prepare(cores * settings.CELERY_BATCH_CHUNK_SIZE, warm)
        run_batch(warm, worker, timeout=300)
        before = worker.rss_mb()
        pipeline, engine, sizes, cpu = [], [], [], []
        for year in years:
            prepare(n, year)
            used = cpu_seconds(worker.processes())
            pipeline.append(n / run_batch(year, worker, timeout=max(600, n)))
            used = cpu_seconds(worker.processes()) - used
            pages, seconds, engine_cpu = engine_alone(year, cores)
            engine.append(pages / seconds)
            cpu.append((1000 * used / n, 1000 * engine_cpu / pages))
            sizes.append(max(worker.rss_mb().values(), default=0.0))
            sys.stderr.write(
                f"bench run {len(pipeline)}: pipeline {pipeline[-1]:.1f}/s, engine alone "
                f"{engine[-1]:.1f}/s, worker {sizes[-1]:.0f} MB\n"
            )
            shutil.rmtree(Path(workdir) / "emails", ignore_errors=True)
        after = worker.rss_mb()
    finally:
        worker.stop()
    memory = before, after, sizes
    met = report_batch(out, n, cores, pipeline, engine, memory)
    report_cpu(out, cpu)
    return met


def _goal(met):
    return "ok" if met else "MISSED"


def report_batch(out, n, cores, pipeline, engine, memory):
    rate, alone = statistics.median(pipeline), statistics.median(engine)
    ratios = [p / e for p, e in zip(pipeline, engine, strict=True)]
    ratio = statistics.median(ratios)
    runs = ", ".join(f"{p:.1f}/{e:.1f}" for p, e in zip(pipeline, engine, strict=True))
    out.write(
        f"batch: {n} receipts, real worker --concurrency={cores}: {rate:.1f}/s; engine alone "
        f"in {cores} processes {alone:.1f}/s; ratio={ratio:.2f} (goal >= {RATIO_GOAL}) "
        f"[{_goal(ratio >= RATIO_GOAL)}] (runs pipeline/engine: {runs})\n"
    )
    ten_thousand = 10_000 / rate
    out.write(
        f"batch: 10 000 receipts at that rate: {ten_thousand:.0f} s (the engine alone at its "
        f"rate: {10_000 / alone:.0f} s); "
        f"ratio={TEN_THOUSAND_GOAL / ten_thousand:.2f} of the goal (goal < "
        f"{TEN_THOUSAND_GOAL:.0f} s) [{_goal(ten_thousand < TEN_THOUSAND_GOAL)}]\n"
    )
    before, after, sizes = memory
    growth = max((after.get(pid, rss) - rss for pid, rss in before.items()), default=0.0)
    same = set(before) == set(after)
    out.write(
        f"batch worker memory: {growth:+.1f} MB at most per process over {len(pipeline)} runs "
        f"of {n} (largest process after warm-up {max(before.values(), default=0):.0f} MB, "
        f"after each run {', '.join(f'{rss:.0f}' for rss in sizes)} MB"
        f"{'' if same else ', processes replaced'}); ratio={growth / MEMORY_GOAL:.2f} of the "
        f"goal (goal < {MEMORY_GOAL:.0f} MB) [{_goal(growth < MEMORY_GOAL and same)}]\n"
    )
    return ratio >= RATIO_GOAL and ten_thousand < TEN_THOUSAND_GOAL and growth < MEMORY_GOAL


def report_cpu(out, cpu):
    """The CPU each receipt took in the worker's processes against the engine's, medians: the
    pipeline's own cost, whatever else the machine was doing (the database server's share is
    not in it)."""
    worker = statistics.median(pipeline for pipeline, _engine in cpu)
    engine = statistics.median(engine for _pipeline, engine in cpu)
    out.write(
        f"batch CPU per receipt: worker processes {worker:.1f} ms, engine alone {engine:.1f} ms; "
        f"ratio={engine / worker:.2f} (for the figures above on a shared machine; no goal)\n"
    )


def bench_register(count, runs, out):
    from tests.bench.register import measure

    seconds, floor = measure(count, runs)
    ratio = floor / seconds
    out.write(
        f"register: {count} receipts in {seconds:.2f} s ({count / seconds:.0f} rows/s); the CSV "
        f"writer alone on the same rows {floor:.2f} s; ratio={ratio:.2f} "
        f"(goal >= {REGISTER_GOAL}) [{_goal(ratio >= REGISTER_GOAL)}]\n"
    )
    return ratio >= REGISTER_GOAL


def main():
    n = int(os.environ.get("BENCH_BATCH_N", "2000"))
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    cores = int(os.environ.get("BENCH_CORES", os.cpu_count() or 1))
    out = sys.stdout
    with tempfile.TemporaryDirectory(prefix="cac-bench-batch-") as workdir:
        redis = None
        if os.environ.get("DATABASE_URL", "").startswith("postgres"):
            redis = Redis(workdir)
            # This process is the web side: it queues the chunks on the worker's broker.
            os.environ["CELERY_BROKER_URL"] = redis.url
            os.environ["CELERY_TASK_DEFAULT_QUEUE"] = f"bench-{uuid.uuid4().hex[:8]}"
        try:
            from tests.bench.receipts import setup_django

            setup_django(workdir, "batch", eager=redis is None)
            met = bench_batch(n, runs, out, cores, workdir, redis)
            count = int(os.environ.get("BENCH_REGISTER_N", "20000"))
            met = bench_register(count, runs, out) and met
        finally:
            if redis is not None:
                redis.stop()
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
