import os

# Playwright's sync API runs an event loop in the test's thread; the ORM calls
# that live_server tests make around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.newsletter.sink import smtp_server, smtp_sink  # noqa: E402, F401
