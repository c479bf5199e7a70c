"""Send one issue to N subscribers and report emails per second and memory.

The real path: the issue is dispatched into PostgreSQL, its chunks go through
Redis to `celery -A config worker` processes, and every email is delivered
over SMTP to a local aiosmtpd server. Run with `make bench-newsletter`
(N=10000 by default; `make bench-newsletter N=100000`).

It uses its own database and Redis number (BENCH_DATABASE_URL,
BENCH_REDIS_URL) and wipes the newsletter tables there.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def process_group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--subscribers", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--smtp-port", type=int, default=2530)
    args = parser.parse_args()

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", args.smtp_port))
        except OSError:
            sys.exit(
                f"Port {args.smtp_port} is busy (another benchmark running?); "
                "choose another with --smtp-port."
            )
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only-secret-key"),
        "DATABASE_URL": os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/verdicts_bench"
        ),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
        "EMAIL_URL": f"smtp://127.0.0.1:{args.smtp_port}",
        "SITE_URL": "https://verdicts.example",
        "LOG_LEVEL": "WARNING",
        "SECURE_SSL_REDIRECT": "false",
    }
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from config.celery import app
    from newsletter.models import Delivery, Issue, Subscriber
    from newsletter.services.dispatch import issue_dispatch
    from newsletter.services.issues import issue_assemble

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    app.connection_for_write().default_channel.client.flushdb()
    Issue.objects.all().delete()
    Subscriber.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO newsletter_subscriber (email, status, source, token, "
            "bounce_count, created_at) SELECT 'reader' || i || '@bench.example', "
            "'active', 'import', gen_random_uuid(), 0, now() "
            "FROM generate_series(1, %s) AS i",
            [args.subscribers],
        )
        cursor.execute("ANALYZE newsletter_subscriber")
    issue = issue_assemble(schedule=False)
    if issue is None:
        sys.exit("seed_demo published nothing last week; cannot build an issue")
    connection.close()

    status = Path(tempfile.mkstemp(prefix="verdicts-bench-smtp-")[1])
    sink = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "smtp_sink.py"), str(args.smtp_port),
         str(status)],
        start_new_session=True,
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker",
         f"--concurrency={args.workers}", "--loglevel=WARNING",
         f"--hostname=bench-{os.getpid()}@%h"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        time.sleep(6)  # let the worker start and the sink listen
        if worker.poll() is not None:
            sys.exit("the Celery worker did not start")
        started = time.perf_counter()
        issue_dispatch(issue_id=issue.pk)
        received = 0
        peaks: dict[int, float] = {}
        while received < args.subscribers:
            time.sleep(0.2)
            text = status.read_text().split()
            received = int(text[0]) if text else 0
            for pid in process_group_members(worker.pid):
                with contextlib.suppress(OSError):
                    peaks[pid] = max(peaks.get(pid, 0.0), peak_rss_mb(pid))
            if time.perf_counter() - started > 1800:
                sys.exit(f"gave up after 30 minutes with {received} emails received")
        elapsed = time.perf_counter() - started
        counts = Delivery.objects.filter(issue=issue).counts()
    finally:
        for process in (worker, sink):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in (worker, sink):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        status.unlink(missing_ok=True)

    children = {pid: mb for pid, mb in peaks.items() if pid != worker.pid}
    print(f"subscribers:        {args.subscribers}")
    print(f"worker processes:   {args.workers}")
    print(f"emails received:    {received} in {elapsed:.1f} s")
    print(f"emails per second:  {received / elapsed:.0f}")
    print(f"deliveries:         {counts}")
    print(
        "peak memory (RSS):  "
        + ", ".join(f"{mb:.0f} MB" for mb in sorted(children.values()))
        + f" (pool processes); {peaks.get(worker.pid, 0):.0f} MB (worker main)"
    )


if __name__ == "__main__":
    main()
