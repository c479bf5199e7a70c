"""Fixtures shared by the whole suite.

Services that a test needs (Redis, Chromium) are skipped with the reason
printed where they are absent; with REQUIRE_SERVICES=1 (CI) a missing service
fails the test instead, so CI always proves the production path.
"""

import importlib
import os
import shutil
import uuid
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User

from tests.comparisons.factories import ComparisonFactory
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


@pytest.fixture
def editor(db) -> User:
    """A staff member in the Editor group made by the data migration.

    Browser tests flush the database after they run, so the group is made
    again here by the migration's own code when it is gone.
    """
    migration = importlib.import_module("comparisons.migrations.0002_editor_group")
    if not Group.objects.filter(name=migration.EDITOR_GROUP).exists():
        migration.create_editor_group(django_apps, None)
    roles = importlib.import_module("comparisons.migrations.0005_workflow_roles")
    if not Group.objects.filter(name=roles.CONTRIBUTOR_GROUP).exists():
        roles.create_roles(django_apps, None)
    user = User.objects.create_user(
        "edna", "edna@example.com", "correct horse battery", is_staff=True
    )
    user.groups.add(Group.objects.get(name=migration.EDITOR_GROUP))
    return user


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
    from django.core.cache import cache

    from pages.cache import GENERATION_KEY, Generation

    cache.set(GENERATION_KEY, Generation(token=uuid.uuid4().hex, transition=None))


@pytest.fixture(autouse=True)
def fresh_figures(monkeypatch):
    """Community figures kept by an earlier test (for a tool with the same
    slug) are out of sight."""
    from tools import community

    monkeypatch.setattr(
        community, "FIGURE_KEY_PREFIX", f"community:figure:{uuid.uuid4().hex}"
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
