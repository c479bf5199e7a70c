"""Who is voting, without accounts and without keeping addresses.

A reader is a random id in a signed, HttpOnly, SameSite=Lax first-party
cookie. The database only ever sees a keyed hash of that id, and the rate
limiter only ever sees a keyed hash of the client's network, so neither a
cookie id nor an IP address is stored anywhere.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

from clients.limits import RateLimit, rate_limit

READER_COOKIE = "verdicts_reader"
READER_COOKIE_SALT = "tools.readers.cookie"
READER_COOKIE_MAX_AGE = 2 * 365 * 24 * 60 * 60
#: Tells votes.js, which cannot read the HttpOnly reader cookie, that this
#: browser has voted before, so it is worth asking for its own votes. It
#: holds no id.
VOTED_COOKIE = "verdicts_voted"
_READER_HASH_SALT = "tools.readers.reader"


@dataclass(frozen=True)
class Reader:
    """The reader behind a request: their cookie id and whether it is new."""

    cookie_id: str
    is_new: bool

    @property
    def key(self) -> str:
        """What a vote stores: a keyed hash, useless without SECRET_KEY."""
        return reader_key(self.cookie_id)


def reader_key(cookie_id: str) -> str:
    return salted_hmac(_READER_HASH_SALT, cookie_id, algorithm="sha256").hexdigest()


def reader_for(request: HttpRequest) -> Reader:
    """The reader named by the request's cookie, or a new one."""
    cookie_id = request.get_signed_cookie(
        READER_COOKIE, default=None, salt=READER_COOKIE_SALT
    )
    if cookie_id:
        return Reader(cookie_id=cookie_id, is_new=False)
    return Reader(cookie_id=secrets.token_urlsafe(24), is_new=True)


def remember_reader(
    request: HttpRequest, response: HttpResponse, reader: Reader
) -> None:
    """Set the reader cookie for a new reader, and the voted marker for any
    reader who does not have it yet."""
    if reader.is_new:
        response.set_signed_cookie(
            READER_COOKIE,
            reader.cookie_id,
            salt=READER_COOKIE_SALT,
            max_age=READER_COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    if reader.is_new or VOTED_COOKIE not in request.COOKIES:
        response.set_cookie(
            VOTED_COOKIE,
            "1",
            max_age=READER_COOKIE_MAX_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )


def vote_rate_limit(request: HttpRequest) -> RateLimit:
    return rate_limit(
        request,
        scope="votes",
        limit=settings.VOTE_RATE_LIMIT,
        window=settings.VOTE_RATE_WINDOW,
    )
