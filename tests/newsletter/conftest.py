"""Newsletter fixtures: a real SMTP server and an explicit choice of how
Celery tasks run.

Tests here run tasks eagerly in the test process (`eager_tasks`, applied to
every test in this folder) unless they start a real worker, as the worker
tests do; CI sets REDIS_URL, which would otherwise make `.delay()` publish to
a broker nobody consumes.
"""

import copy
import uuid
from email.message import EmailMessage

import pytest

from newsletter.models import Issue, IssueComparison
from tests.newsletter.factories import IssueFactory
from tests.newsletter.sink import (  # noqa: F401
    hanging_up_server,
    smtp_server,
    smtp_sink,
)


@pytest.fixture(autouse=True)
def eager_unless_real_worker(request):
    """Run tasks in-process (the suite's `eager_tasks`) unless the test drives
    a real worker."""
    if not request.node.get_closest_marker("real_worker"):
        request.getfixturevalue("eager_tasks")


@pytest.fixture(autouse=True)
def https_site(settings):
    settings.SITE_URL = "https://verdicts.example"


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Rate-limit counters start at zero: each test gets its own key prefix."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the code defers to after commit, as production would."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def issue(comparison) -> Issue:
    issue = IssueFactory(iso_week=47)
    IssueComparison.objects.create(issue=issue, comparison=comparison, position=0)
    return issue


def body_text(message: EmailMessage, kind: str = "plain") -> str:
    return message.get_body((kind,)).get_content()
