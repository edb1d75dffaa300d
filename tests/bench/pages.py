"""`make bench`, the pages: requests per second through gunicorn against the bare view.

Run as `python -m tests.bench.pages`. It fills a database of its own on DATABASE_URL's server
(or a throwaway SQLite file: tests.bench.database) with
20 000 members, 60 000 payments and 20 000 receipts (`tests.bench.pages_data`), starts its own
Redis on a free port (the shared cache, the broker the confirmation emails are queued to) and
gunicorn with 2 sync workers, DEBUG=0 and the bench's URLs (`tests.bench.pages_settings`: the
portal plus `/bench/bare/`, a view that does nothing), then drives them with wrk at concurrency
8 (Debian's `wrk`, installed with apt-get when missing: a C load generator costs the server far
less of the shared CPU than a Python one, and its Lua scripts post distinct forms).

Three runs; each measures the bare view and every page in turn, so that the ratios compare
figures taken under the same load of a shared machine. It prints one line per figure, the
median of the three runs with its ratio to the bare view and its goal:

    GET /adhesion/: 610 req/s, ratio 0.21 (goal >= 0.15) ok

POST /adhesion/ sends distinct valid forms (a new email and submission key each) with the
rate limit lifted through its setting (ADHESION_RATE_LIMIT). Then the server time of each
desk and treasury page, deep pages included (one client, the median of 15 requests). Exits
non-zero when a goal is missed; stops gunicorn and Redis and removes its files in any case.

BENCH_SECONDS (default 5) is the length of each wrk measurement.
"""

import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.database import bench_database_url

ROOT = Path(__file__).resolve().parents[2]
RUNS = 3
CONCURRENCY = 8
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
SETTINGS = "tests.bench.pages_settings"

# (name, path, needs the staff's session, goal as a ratio to the bare view)
PAGES = [
    ("GET /", "/", False, 0.2),
    ("GET /charte/", "/charte/", False, 0.2),
    ("GET /annuaire/", "/annuaire/", False, 0.2),
    ("GET /adhesion/", "/adhesion/", False, 0.15),
    ("GET /gestion/", "/gestion/", True, 0.1),
    ("GET /gestion/membres/", "/gestion/membres/", True, 0.1),
    ("GET /gestion/paiements/", "/gestion/paiements/", True, 0.1),
    ("GET /gestion/membres/recherche/?q=dupre", "/gestion/membres/recherche/?q=dupre", True, 0.1),
]
POST_RATE_GOAL = 150
POST_P95_GOAL_MS = 100
SERVER_TIME_GOAL_MS = 50

REPORT = """
done = function(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + (thread:get("bad") or 0) end
  io.write(string.format("BENCH p50=%.2f p95=%.2f bad=%d\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, bad))
end
"""

GET_SCRIPT = (
    """
threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
"""
    + REPORT
)

# Distinct valid forms: each thread numbers its own, with its id in the email and the key.
POST_SCRIPT = (
    """
threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args) bad = 0; n = 0 end
local fields = "kind=individual&purpose=adhesion&tier=50.00&other_amount=&accept_charter=on"
  .. "&accept_privacy=on&charter_version=CHARTER_V&privacy_version=PRIVACY_V&ind-last_name=Durand"
  .. "&ind-first_name=Lea&ind-phone_mobile=06+12+34+56+78&ind-street=5+rue+Oberkampf"
  .. "&ind-postal_code=75011&ind-city=Paris&ind-country=FR&corr-TOTAL_FORMS=2"
  .. "&corr-INITIAL_FORMS=0&csrfmiddlewaretoken=CSRF"
function request()
  n = n + 1
  local body = fields .. string.format(
    "&ind-email=bench-%d-%d-RUN%%40example.org&submission_key=%08x-0000-4000-8000-%012x",
    id, n, id, n)
  return wrk.format("POST", "/adhesion/", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=CSRF",
  }, body)
end
function response(status, headers, body) if status ~= 302 then bad = bad + 1 end end
"""
    + REPORT
)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_wrk():
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit("bench: wrk is missing (sudo apt-get install wrk)")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)


def wait_for(port, path, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"bench: nothing answers on port {port}")


# The versions of the charter and the privacy notice in force, which a valid form accepts.
TEXTS = {}


def setup_database(env):
    """Migrate, load the defaults, the data, a staff session; returns its cookie and the
    deep pages' paths (in the bench's own process, like the server's)."""
    os.environ.update(env)
    import django

    django.setup()
    import io

    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False, stdout=io.StringIO())
    call_command("load_cac_defaults", verbosity=0, stdout=io.StringIO())
    from tests.bench.pages_data import populate

    populate()
    from charter.models import Charter, PrivacyNotice

    TEXTS["charter"] = Charter.objects.current().version
    TEXTS["privacy"] = PrivacyNotice.objects.current().version
    return staff_cookie(), deep_pages()


def staff_cookie():
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    user, _ = get_user_model().objects.get_or_create(
        username="bench-staff",
        defaults={"email": "bench-staff@example.org", "is_superuser": True, "is_staff": True},
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def deep_pages():
    """The desk's and treasury's pages to time, deep pages as their "next" links reach them
    (cac_portal.paging) and as a typed page number."""
    from urllib.parse import urlencode

    from dues.views.lists import MEMBERS_ORDER, PAYMENTS_ORDER, filter_members, filter_payments
    from receipts.models import Receipt
    from receipts.views import RECEIPTS_ORDER

    payments = filter_payments({})
    members, _ = filter_members({}, annotate=False)
    year = Receipt.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True)[0]
    receipts = Receipt.objects.filter(fiscal_year=year).order_by("number")

    def linked(path, queryset, keyset, index, page, **params):
        row = queryset[index]
        query = urlencode({**params, "page": page, "apres": keyset.encode(row)})
        return f"{path}?{query}"

    deep_payment = payments.count() - 60
    deep_member = members.count() - 60
    deep_receipt = receipts.count() - 60
    return [
        "/gestion/",
        "/gestion/?q=dupre",
        "/gestion/membres/",
        linked("/gestion/membres/", members, MEMBERS_ORDER, deep_member, deep_member // 50 + 2),
        "/gestion/membres/?q=jerome",
        "/gestion/membres/recherche/?q=dupre",
        "/gestion/membres/recherche/?q=helene%20dupre0",
        "/gestion/paiements/",
        linked(
            "/gestion/paiements/", payments, PAYMENTS_ORDER, deep_payment, deep_payment // 50 + 2
        ),
        f"/gestion/paiements/?page={deep_payment // 50 + 1}",
        "/gestion/promesses/",
        "/gestion/bordereaux/",
        "/gestion/tableau-de-bord/",
        "/gestion/membres/CAC-000005/",
        f"/tresorerie/?annee={year}",
        linked(
            "/tresorerie/",
            receipts,
            RECEIPTS_ORDER,
            deep_receipt,
            deep_receipt // 50 + 2,
            annee=year,
        ),
        "/tresorerie/tableau-de-bord/",
    ]


def wrk(port, path, script, cookie=None, label=""):
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    command = [
        "wrk",
        f"-t{min(CONCURRENCY, 2)}",
        f"-c{CONCURRENCY}",
        f"-d{SECONDS}s",
        "-s",
        str(script),
        *headers,
        f"http://127.0.0.1:{port}{path}",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    p50, p95, bad = re.search(r"BENCH p50=([\d.]+) p95=([\d.]+) bad=(\d+)", output).groups()
    errors = re.search(r"Socket errors: (.*)", output)
    if int(bad) or errors:
        sys.exit(f"bench: {label or path}: {bad} unexpected answers, {errors}\n{output}")
    return {"rate": rate, "p50": float(p50), "p95": float(p95)}


def server_times(port, paths, cookie, repeat=15):
    times = {}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for path in paths:
        samples = []
        for _ in range(repeat + 2):
            start = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": cookie})
            response = connection.getresponse()
            response.read()
            samples.append((time.perf_counter() - start) * 1000)
            if response.status != 200:
                sys.exit(f"bench: {path} answered {response.status}")
        times[path] = statistics.median(samples[2:])
    return times


def one_run(port, workdir, cookie, number):
    get_script = workdir / "get.lua"
    post_script = workdir / f"post-{number}.lua"
    get_script.write_text(GET_SCRIPT)
    post_script.write_text(
        POST_SCRIPT.replace("CSRF", "b" * 32)
        .replace("RUN", f"{number}-{time.time_ns()}")
        .replace("CHARTER_V", str(TEXTS["charter"]))
        .replace("PRIVACY_V", str(TEXTS["privacy"]))
    )
    figures = {"bare": wrk(port, "/bench/bare/", get_script)}
    for name, path, staff, _goal in PAGES:
        figures[name] = wrk(port, path, get_script, cookie if staff else None, name)
    figures["POST /adhesion/"] = wrk(port, "/adhesion/", post_script, label="POST /adhesion/")
    return figures


def report(runs, times):
    missed = []
    out = sys.stdout
    bare = statistics.median(run["bare"]["rate"] for run in runs)
    out.write(f"bare view: {bare:.0f} req/s (median of {len(runs)} runs)\n")
    for name, _path, _staff, goal in PAGES:
        rate = statistics.median(run[name]["rate"] for run in runs)
        ratio = statistics.median(run[name]["rate"] / run["bare"]["rate"] for run in runs)
        p50 = statistics.median(run[name]["p50"] for run in runs)
        ok = ratio >= goal
        missed += [] if ok else [name]
        out.write(
            f"{name}: {rate:.0f} req/s, p50 {p50:.1f} ms, ratio {ratio:.3f} "
            f"(goal >= {goal}) {'ok' if ok else 'MISSED'}\n"
        )
    post = [run["POST /adhesion/"] for run in runs]
    rate = statistics.median(p["rate"] for p in post)
    p95 = statistics.median(p["p95"] for p in post)
    ratio = statistics.median(r["POST /adhesion/"]["rate"] / r["bare"]["rate"] for r in runs)
    ok = rate >= POST_RATE_GOAL and p95 < POST_P95_GOAL_MS
    missed += [] if ok else ["POST /adhesion/"]
    out.write(
        f"POST /adhesion/ (distinct valid forms): {rate:.0f} req/s, "
        f"p50 {statistics.median(p['p50'] for p in post):.1f} ms, p95 {p95:.1f} ms, "
        f"ratio {ratio:.3f} (goal >= {POST_RATE_GOAL}/s and p95 < {POST_P95_GOAL_MS} ms) "
        f"{'ok' if ok else 'MISSED'}\n"
    )
    for path, milliseconds in times.items():
        ok = milliseconds <= SERVER_TIME_GOAL_MS
        typed_page = "?page=" in path and "apres=" not in path
        if not ok and not typed_page:
            missed.append(path)
        verdict = "ok" if ok else ("over (a typed page number)" if typed_page else "MISSED")
        out.write(
            f"server time {path}: {milliseconds:.1f} ms (goal <= {SERVER_TIME_GOAL_MS} ms) "
            f"{verdict}\n"
        )
    return missed


def main():
    ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="cac-bench-pages-"))
    processes = []
    try:
        redis_port, web_port = free_port(), free_port()
        env = {
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "ADHESION_RATE_LIMIT": "1000000/s",
            "CACHE_URL": f"redis://127.0.0.1:{redis_port}/0",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/1",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "DATABASE_URL": bench_database_url(workdir, "pages", os.environ.get("DATABASE_URL")),
            "MEDIA_ROOT": str(workdir / "media"),
            "LOG_LEVEL": "WARNING",
            "EMAIL_URL": "console://",
        }
        processes.append(
            subprocess.Popen(
                ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
            )
        )
        cookie, deep = setup_database(env)
        gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
        processes.append(
            subprocess.Popen(
                [
                    str(gunicorn if gunicorn.exists() else "gunicorn"),
                    "cac_portal.wsgi:application",
                    "--workers",
                    "2",
                    "--worker-class",
                    "sync",
                    "--bind",
                    f"127.0.0.1:{web_port}",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env={**os.environ, **env},
            )
        )
        wait_for(web_port, "/bench/bare/")
        # Every worker draws its pages once before it is measured.
        for path in ["/", "/charte/", "/annuaire/", "/adhesion/"] * 4:
            wait_for(web_port, path)
        runs = [one_run(web_port, workdir, cookie, number) for number in range(1, RUNS + 1)]
        times = server_times(web_port, deep, cookie)
        sys.stdout.write(
            "pages through gunicorn (2 sync workers, DEBUG=0), wrk at concurrency "
            f"{CONCURRENCY}, {SECONDS} s each, medians of {RUNS} runs:\n"
        )
        missed = report(runs, times)
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(workdir, ignore_errors=True)
    if missed:
        sys.exit(f"bench: goals missed: {', '.join(missed)}")


if __name__ == "__main__":
    main()
