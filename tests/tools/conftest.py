import ipaddress
import secrets

import pytest
from django.test import Client

HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def fresh_address() -> str:
    """An address no other test uses, so rate-limit windows never overlap."""
    return str(ipaddress.IPv4Address("198.18.0.0") + secrets.randbelow(2**17))


@pytest.fixture
def reader_client() -> Client:
    """A reader's browser: its own address, cookies kept between requests."""
    return Client(REMOTE_ADDR=fresh_address())
