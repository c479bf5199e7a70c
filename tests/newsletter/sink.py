"""A real SMTP server (aiosmtpd) for tests: `smtp_sink` points Django's
SMTP backend at it and hands over what it received; `hanging_up_server` is a
mail server that is down."""

import email
import os
import socket
import threading
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import missing_service


class SinkHandler:
    """Keeps every message; answers a chosen SMTP code for chosen addresses."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: dict[str, str] = {}
        self.connections: set[tuple[str, int]] = set()  # client (host, port)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.connections.add(session.peer)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.connections.clear()


def free_port() -> int:
    """A free port in the range set aside for SMTP sinks: SMTP_SINK_PORTS
    (such as "2560-2570", for runs that share a machine), else 2525-2540."""
    first, _, last = os.environ.get("SMTP_SINK_PORTS", "2525-2540").partition("-")
    for port in range(int(first), int(last or first) + 1):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    missing_service(f"No free port for an SMTP server in {first}-{last or first}")


@pytest.fixture(scope="session")
def smtp_server():
    """One aiosmtpd server for the whole run; each test starts it empty."""
    handler = SinkHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    yield handler
    controller.stop()


@pytest.fixture
def smtp_sink(smtp_server, settings):
    smtp_server.clear()
    smtp_server.refuse.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield smtp_server
    smtp_server.clear()
    smtp_server.refuse.clear()


@pytest.fixture
def hanging_up_server(settings):
    """A TCP server that accepts and closes at once, counting connections."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            accepted.append(conn)
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.getsockname()[1]
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield accepted
    server.close()
