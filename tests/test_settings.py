import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_debug_every_command_needs_a_secret_key():
    """With DEBUG off and no SECRET_KEY, commands stop and name the variable."""
    for command in (["check"], ["migrate", "--plan"], ["seed_demo"]):
        result = manage(*command, DEBUG="false")
        assert result.returncode != 0
        assert "Configuration error: SECRET_KEY is not set" in result.stderr


def test_production_like_settings_pass_the_deploy_check():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="pZ3v!q8rK2mT6wX9yB4nH7jL1cF5dG0sA-eU_iO=oP+lM*zQ@xR",
        ALLOWED_HOSTS="verdicts.example.com",
        SITE_URL="https://verdicts.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_defaults_run_without_any_variable():
    result = manage("check", DEBUG="true")
    assert result.returncode == 0, result.stderr


def make_run_settings(*make_args: str) -> str:
    """SITE_URL as the server `make run` starts would see it: the run
    target's own command line, with the server swapped for a print."""
    planned = subprocess.run(
        ["make", "-s", "-n", "run", *make_args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k not in {"SITE_URL", "DEBUG"}},
    ).stdout
    (serve,) = [line for line in planned.splitlines() if "runserver" in line]
    env_part = serve.split(" .venv/bin/python manage.py runserver")[0]
    probe = "from django.conf import settings; print(settings.SITE_URL)"
    result = subprocess.run(
        ["sh", "-c", f'{env_part} {sys.executable} manage.py shell -c "{probe}"'],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k not in {"SITE_URL", "DEBUG"}},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_make_run_links_follow_its_host_and_port():
    assert make_run_settings("PORT=8101") == "http://127.0.0.1:8101"
    assert make_run_settings("HOST=localhost", "PORT=9000") == "http://localhost:9000"
