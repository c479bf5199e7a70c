"""Reader pages and votes under load, at demo size and at scale, side by side.

The site runs as in production (gunicorn -w 2, DEBUG off, PostgreSQL and
Redis) and wrk (Debian's package) loads one page at a time: cold with the
page cache off (PAGE_CACHE_SECONDS=0, every request renders) and warm with
it on. A bare Django view served by the same gunicorn is the floor each
figure is compared with, in the same run. Each figure is the median of
`--rounds` alternating rounds. Then `seed_scale` loads 10,000 tools, 5,000
comparisons and 3,000,000 votes (1,000,000 on scale-tool-1) and everything
is measured again; last, 50 concurrent readers vote on a fresh tool and on
the tool with a million votes, and the tallies are checked against a fresh
count. Run with `make bench-pages` (or `make bench`).

It uses its own database, dropped and made again at the start
(BENCH_PAGES_DATABASE_URL), and its own Redis number (BENCH_REDIS_URL),
which it empties.
"""

from __future__ import annotations

import argparse
import contextlib
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
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
VOTE_SCRIPT = """
local readers = {}
local counter = 0
init = function(args)
  for line in io.lines(args[1]) do
    local cookie, token = line:match("([^\\t]+)\\t([^\\t]+)")
    readers[#readers + 1] = {cookie = cookie, token = token}
  end
end
request = function()
  counter = counter + 1
  local reader = readers[(counter %% #readers) + 1]
  local verdict = (counter %% 2 == 0) and "ship" or "skip"
  return wrk.format("POST", "%(path)s", {
    ["Cookie"] = reader.cookie,
    ["X-CSRFToken"] = reader.token,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
  }, "verdict=" .. verdict)
end
"""


@dataclass(frozen=True)
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    queries: int
    size: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("Installing Debian's wrk")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk") or sys.exit("wrk is not installed (apt-get install wrk)")


def _milliseconds(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if found is None:
        raise ValueError(f"wrk printed a latency of {text!r}")
    number, unit = found.groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def run_wrk(
    wrk: str, url: str, *, seconds: int, connections: int, script: str | None = None
) -> Load:
    command = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        command += ["-s", script]
    command.append(url)
    if script:
        command += ["--", script + ".readers"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _milliseconds(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _milliseconds(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = 0
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        errors += int(bad.group(1))
    sockets = re.search(r"Socket errors: (.*)", out)
    if sockets:
        errors += sum(int(n) for n in re.findall(r"\d+", sockets.group(1)))
    return Load(rps=rps, p50_ms=p50, p99_ms=p99, errors=errors)


def median_load(loads: list[Load]) -> Load:
    return Load(
        rps=statistics.median(load.rps for load in loads),
        p50_ms=statistics.median(load.p50_ms for load in loads),
        p99_ms=statistics.median(load.p99_ms for load in loads),
        errors=sum(load.errors for load in loads),
    )


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, cache_seconds: int):
    port = free_port()
    server_env = {**env, "PAGE_CACHE_SECONDS": str(cache_seconds)}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", "2",
         "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=server_env, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(base + "/bench/floor/", timeout=2),
            ):
                break
            time.sleep(0.2)
        else:
            sys.exit("gunicorn did not start")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def settle(base: str) -> None:
    """Wait until the workers are free again (a slow page may leave requests
    queued after wrk stops), so one run does not eat into the next."""
    for _ in range(60):
        started = time.monotonic()
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(base + "/bench/floor/", timeout=30),
        ):
            pass
        if time.monotonic() - started < 0.05:
            return
        time.sleep(0.5)


def share(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "n/a"


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def fresh_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def measure_pages(paths: dict[str, str]) -> dict[str, Page]:
    """Queries and bytes of each page rendered cold, in this process."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    pages = {}
    with override_settings(PAGE_CACHE_SECONDS=0, ALLOWED_HOSTS=["*"]):
        client = Client()
        for name, path in paths.items():
            client.get(path)  # warm the connection and the template cache
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            if response.status_code != 200:
                sys.exit(f"{path} answered {response.status_code}")
            pages[name] = Page(name, path, len(captured), len(response.content))
    return pages


def load_pages(
    wrk: str, env: dict[str, str], paths: dict[str, str], args, *, warm: bool
) -> dict[str, Load]:
    flush_redis(env["REDIS_URL"])
    loads: dict[str, list[Load]] = {name: [] for name in ["floor", *paths]}
    with gunicorn(env, cache_seconds=600 if warm else 0) as base:
        for path in paths.values():
            with urllib.request.urlopen(base + path) as response:  # prime
                response.read()
        for round_number in range(1, args.rounds + 1):
            for name, path in [("floor", "/bench/floor/"), *paths.items()]:
                settle(base)
                load = run_wrk(
                    wrk, base + path, seconds=args.seconds, connections=args.connections
                )
                loads[name].append(load)
                mode = "warm" if warm else "cold"
                print(
                    f"  {mode} round {round_number} {name}: {load.rps:.0f} req/s, "
                    f"p50/p99 {load.p50_ms:.1f}/{load.p99_ms:.1f} ms, "
                    f"{load.errors} errors",
                    flush=True,
                )
    return {name: median_load(found) for name, found in loads.items()}


def write_readers(path: Path, count: int) -> None:
    """Signed reader cookies and a CSRF secret for each of `count` readers."""
    from django.core import signing
    from django.utils.crypto import get_random_string

    from tools.readers import READER_COOKIE, READER_COOKIE_SALT

    signer = signing.get_cookie_signer(salt=READER_COOKIE + READER_COOKIE_SALT)
    lines = []
    for n in range(count):
        token = get_random_string(32)
        cookie = (
            f"{READER_COOKIE}={signer.sign(f'bench-reader-{n}')}; csrftoken={token}"
        )
        lines.append(f"{cookie}\t{token}\n")
    path.write_text("".join(lines))


def load_votes(wrk: str, env: dict[str, str], slugs: dict[str, str], args):
    from django.db.models import Count

    from tools.models import Vote
    from tools.tallies import tallies_drifted

    results = {}
    with (
        tempfile.TemporaryDirectory() as folder,
        gunicorn(env, cache_seconds=600) as base,
    ):
        for name, slug in slugs.items():
            path = f"/tools/{slug}/vote/"
            script = Path(folder) / f"{slug}.lua"
            script.write_text(VOTE_SCRIPT % {"path": path})
            write_readers(Path(str(script) + ".readers"), args.voters)
            before = Vote.objects.filter(tool__slug=slug).aggregate(n=Count("pk"))["n"]
            load = run_wrk(
                wrk,
                base + path,
                seconds=args.seconds * 2,
                connections=50,
                script=str(script),
            )
            after = Vote.objects.filter(tool__slug=slug).aggregate(n=Count("pk"))["n"]
            results[name] = (load, before, after, tallies_drifted())
    return results


def _unwritten_pair(tool) -> str:
    """The quick comparison of `tool` with a tool it has no comparison with."""
    from django.db.models import Q

    from comparisons.models import Comparison
    from tools.models import Tool

    compared = Comparison.objects.filter(Q(left=tool) | Q(right=tool))
    partners = {pk for pair in compared.values_list("left", "right") for pk in pair}
    other = Tool.objects.exclude(pk__in={tool.pk, *partners}).order_by("pk").first()
    return f"/compare/{tool.slug}-vs-{other.slug}/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--voters", type=int, default=5000)
    parser.add_argument("--demo-only", action="store_true")
    args = parser.parse_args()

    wrk = ensure_wrk()
    database = os.environ.get(
        "BENCH_PAGES_DATABASE_URL",
        "postgres://postgres@127.0.0.1:5432/verdicts_bench_pages",
    )
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only-secret-key"),
        "DATABASE_URL": database,
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SITE_URL": "http://127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "SECURE_SSL_REDIRECT": "false",
        "VOTE_RATE_LIMIT": "1000000000",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "STATIC_ROOT": tempfile.mkdtemp(prefix="verdicts-bench-static-"),
    }
    fresh_database(database)
    flush_redis(env["REDIS_URL"])
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from reviewers.models import Reviewer
    from tools.models import Category, Tool

    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    demo_tool = Tool.objects.select_related("category").get(slug="claw-code")
    demo = {
        "comparison": "/compare/claw-code-vs-modal-gpu-serverless-inference/",
        "home": "/",
        "tool": "/tools/claw-code/",
        "category": demo_tool.category.get_absolute_url(),
        "persona": Reviewer.objects.active().first().get_absolute_url(),
        "categories": "/categories/",
        "feed": "/feed/",
        "sitemap": "/sitemap-tools.xml",
        "figures.json": "/community/figures.json"
        "?tools=claw-code,modal-gpu-serverless-inference",
        "tools index": "/tools/",
        "tools filtered": "/tools/?stance=split&sort=community",
        "search": "/search/?q=claude+cod",
        "alternatives": "/tools/claw-code/alternatives/",
        "quick pair": _unwritten_pair(demo_tool),
        "category feed": f"{demo_tool.category.get_absolute_url()}feed/",
    }
    fresh = Tool.objects.create(
        name="Bench Fresh Tool",
        slug="bench-fresh-tool",
        category=Category.objects.first(),
        tagline="A tool nobody voted on yet",
        description="Made by the benchmark.",
        pricing_tier="free",
    )
    connection.close()

    results: dict[str, dict] = {}
    phases = [("demo", demo)]
    if not args.demo_only:
        scale = {
            "comparison": "/compare/scale-tool-1-vs-scale-tool-2/",
            "home": "/",
            "tool": "/tools/scale-tool-1/",
            "category": "/categories/scale-category-2/",
            "persona": "/reviewers/scale-persona-1/",
            "categories": "/categories/",
            "feed": "/feed/",
            "sitemap": "/sitemap-tools.xml",
            "figures.json": "/community/figures.json?tools=scale-tool-1,scale-tool-2",
            "tools index": "/tools/",
            "tools filtered": "/tools/?stance=split&sort=community",
            "search": "/search/?q=scale+tool+77",
            "alternatives": "/tools/scale-tool-1/alternatives/",
            "quick pair": "/compare/scale-tool-1-vs-scale-tool-3/",
            "category feed": "/categories/scale-category-2/feed/",
        }
        phases.append(("scale", scale))
    for phase, paths in phases:
        if phase == "scale":
            started = time.monotonic()
            call_command("seed_scale", verbosity=0)
            print(f"seed_scale: {time.monotonic() - started:.0f} s", flush=True)
            connection.close()
        pages = measure_pages(paths)
        cold = load_pages(wrk, env, paths, args, warm=False)
        warm = load_pages(wrk, env, paths, args, warm=True)
        results[phase] = {"pages": pages, "cold": cold, "warm": warm}
        print(f"{phase}: measured", flush=True)

    votes = {"fresh tool": fresh.slug}
    if not args.demo_only:
        votes["scale-tool-1 (1M votes)"] = "scale-tool-1"
    voted = load_votes(wrk, env, votes, args)
    report(results, voted, args)


def report(results: dict, voted: dict, args) -> None:
    phases = list(results)
    print()
    print(
        f"gunicorn -w 2, wrk -t2 -c{args.connections}, {args.seconds} s a run, "
        f"median of {args.rounds} rounds; PostgreSQL and Redis, DEBUG off."
    )
    header = ["page", "mode"]
    for phase in phases:
        header += [f"{phase} req/s", f"{phase} p50/p99 ms", f"{phase} % floor"]
    header += ["queries", "bytes"]
    if len(phases) > 1:
        header.append("scale/demo time")
    rows = [header]
    names = list(results[phases[0]]["pages"])
    for mode in ("cold", "warm"):
        rows.append(
            ["floor (bare HttpResponse)", mode]
            + [
                cell
                for phase in phases
                for cell in (
                    f"{results[phase][mode]['floor'].rps:.0f}",
                    f"{results[phase][mode]['floor'].p50_ms:.1f}/"
                    f"{results[phase][mode]['floor'].p99_ms:.1f}",
                    "100%",
                )
            ]
            + ["", ""]
            + ([""] if len(phases) > 1 else [])
        )
        for name in names:
            row = [name, mode]
            for phase in phases:
                load = results[phase][mode][name]
                floor = results[phase][mode]["floor"].rps
                row += [
                    f"{load.rps:.0f}",
                    f"{load.p50_ms:.1f}/{load.p99_ms:.1f}",
                    share(load.rps, floor),
                ]
            last = results[phases[-1]]["pages"][name]
            row += [str(last.queries), f"{last.size:,}"]
            if len(phases) > 1:
                demo_rps = results["demo"][mode][name].rps
                scale_rps = results["scale"][mode][name].rps
                row.append(f"{demo_rps / scale_rps:.2f}x" if scale_rps else "n/a")
            rows.append(row)
        view = ["comparison page view (HTML + figures.json)", mode]
        for phase in phases:
            html = results[phase][mode]["comparison"].rps
            data = results[phase][mode]["figures.json"].rps
            combined = 1 / (1 / html + 1 / data) if html and data else 0
            floor = results[phase][mode]["floor"].rps
            view += [f"{combined:.0f}", "", share(combined, floor)]
        view += ["", ""] + ([""] if len(phases) > 1 else [])
        rows.append(view)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)))
        if index == 0:
            print("  ".join("-" * width for width in widths))
    print()
    print(f"votes: 50 concurrent readers, {args.voters} of them, {args.seconds * 2} s")
    for name, (load, before, after, drifted) in voted.items():
        exact = "exact" if drifted == 0 else f"{drifted} tallies drifted"
        print(
            f"  {name}: {load.rps:.0f} votes/s, p50/p99 {load.p50_ms:.1f}/"
            f"{load.p99_ms:.1f} ms, {load.errors} errors; votes {before:,} -> "
            f"{after:,}; tallies {exact}"
        )


if __name__ == "__main__":
    main()
