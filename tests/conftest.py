"""Fixtures shared by the whole suite.

Services that a test needs (Redis, Chromium) are skipped with the reason
printed where they are absent; with REQUIRE_SERVICES=1 (CI) a missing service
fails the test instead, so CI always proves the production path.
"""

import os
import shutil
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from tests.comparisons.factories import ComparisonFactory
from tests.editorial import factories as users
from tests.reviewers.factories import ReviewerFactory, ReviewFactory
from tests.tools.factories import ToolFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


def missing_service(reason: str) -> None:
    """Skip (locally) or fail (in CI) a test whose service is absent."""
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def migrated_roles(django_db_setup, django_db_blocker) -> str:
    """The groups the data migrations made.

    Taken when the first transactional test starts: every test before it ran
    in a transaction that was rolled back, so nothing has been flushed yet.
    """
    with django_db_blocker.unblock():
        return users.roles_snapshot()


@pytest.fixture(autouse=True)
def roles_after_a_flush(request: pytest.FixtureRequest) -> None:
    """A transactional test starts with the groups the migrations made, as
    every other test does (see tests/editorial/factories.py)."""
    marker = request.node.get_closest_marker("django_db")
    fixtures = {"transactional_db", "live_server"} & set(request.fixturenames)
    if not (fixtures or (marker and marker.kwargs.get("transaction"))):
        return
    request.getfixturevalue("transactional_db")
    users.roles_restore(request.getfixturevalue("migrated_roles"))


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher():
    """MD5 instead of PBKDF2: hashing a password costs microseconds, not
    0.4 s. The live server runs in this process, so it hashes the same way."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(PASSWORD_HASHERS=hashers):
        yield


@pytest.fixture
def editor(db) -> User:
    """Edna, a staff member in the Editor group (password: users.PASSWORD)."""
    return users.editor(username="edna", email="edna@example.com")


@pytest.fixture
def editor_client(client: Client, editor: User) -> Client:
    client.force_login(editor)
    return client


@pytest.fixture
def admin_user(db) -> User:
    """pytest-django's `admin_client` logs in this superuser."""
    return users.superuser(username="admin", email="admin@example.com")


@pytest.fixture
def panel(db):
    """Two tools and four active personas: left 3 of 4 ship, right 4 of 4."""
    left = ToolFactory(name="Claw Code", slug="claw-code")
    right = ToolFactory(
        name="Modal GPU Serverless Inference", slug="modal-gpu-serverless-inference"
    )
    personas = ReviewerFactory.create_batch(4)
    for index, persona in enumerate(personas):
        ReviewFactory(
            reviewer=persona, tool=left, verdict="skip" if index == 1 else "ship"
        )
        ReviewFactory(reviewer=persona, tool=right, verdict="ship")
    return {"left": left, "right": right, "personas": personas}


@pytest.fixture
def comparison(panel):
    return ComparisonFactory(left=panel["left"], right=panel["right"])


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        missing_service(f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def fresh_pages():
    """Each test starts with no reader page stored from another test (whose
    rows were rolled back without a signal)."""
    from pages.cache import GENERATION_KEY, Generation
    from pages.mirror import mirror

    mirror.replace(
        GENERATION_KEY, Generation(token=uuid.uuid4().hex, transition=None), None
    )


@pytest.fixture(autouse=True)
def fresh_figures(monkeypatch):
    """Community figures kept by an earlier test (for a tool with the same
    slug) are out of sight."""
    from pages import figures

    monkeypatch.setattr(
        figures, "FIGURE_KEY_PREFIX", f"community:figure:{uuid.uuid4().hex}"
    )


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory) -> Path:
    """Uploads, renditions and cards go to a fresh folder for each test."""
    root = tmp_path_factory.mktemp("media")
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in-process, as the embedded default does.

    With REDIS_URL set (as in CI) tasks would go to the broker; tests that
    assert a task's result without starting a worker use this.
    """
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
