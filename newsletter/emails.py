"""Building the weekly email: render once per issue, personalise per reader.

Everything all recipients share (the comparisons, their panel figures, the
inlined CSS) is rendered once per issue and process. Each subscriber's copy
differs only in its address, its unsubscribe link and its Message-ID, which
are filled into the prebuilt text with plain string replacement, and the MIME
bytes are assembled directly, so one email costs microseconds rather than a
template render and a run of the `email` package.
"""

from __future__ import annotations

import binascii
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from email.header import Header
from email.utils import formatdate
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape

from newsletter.models import Issue
from reviewers.panel import panel_figures

UNSUBSCRIBE_PLACEHOLDER = "https://unsubscribe.invalid/__VERDICTS_UNSUBSCRIBE__"
EMAIL_PLACEHOLDER = "__VERDICTS_RECIPIENT__"


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


_TOKEN_SLOT = "00000000-0000-0000-0000-000000000000"


def unsubscribe_link_maker() -> Callable[[object], str]:
    """Unsubscribe links for many tokens at the cost of one `reverse`."""
    template = settings.SITE_URL + reverse("newsletter:unsubscribe", args=[_TOKEN_SLOT])
    return lambda token: template.replace(_TOKEN_SLOT, str(token))


def message_id_for(*, issue_id: int, subscriber_id: int) -> str:
    """The same Message-ID on every attempt, so duplicates are recognisable."""
    digest = hashlib.sha256(
        f"{settings.SECRET_KEY}:{issue_id}:{subscriber_id}".encode()
    ).hexdigest()[:16]
    return f"<issue-{issue_id}.{subscriber_id}.{digest}@{site_domain()}>"


def inline_css(html: str) -> str:
    inliner = css_inline.CSSInliner(load_remote_stylesheets=False)
    return inliner.inline(html)


def issue_context(issue: Issue) -> dict[str, Any]:
    """What the email and the web copy show, in a few queries."""
    comparisons = list(issue.ordered_comparisons())
    figures = panel_figures(
        tool_id for c in comparisons for tool_id in (c.left_id, c.right_id)
    )
    items = [
        {
            "comparison": comparison,
            "url": settings.SITE_URL + comparison.get_absolute_url(),
            "figures": [
                (comparison.left, figures[comparison.left_id]),
                (comparison.right, figures[comparison.right_id]),
            ],
        }
        for comparison in comparisons
    ]
    return {
        "issue": issue,
        "items": items,
        "web_url": settings.SITE_URL + issue.get_absolute_url(),
        "archive_url": settings.SITE_URL + reverse("newsletter:issue-list"),
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }


@dataclass(frozen=True)
class RenderedIssue:
    """One issue's email with the reader-specific parts left as placeholders."""

    issue_id: int
    subject: str
    html: str
    text: str
    subject_header: str
    from_email: str

    def personalise(self, *, email: str, unsubscribe_url: str) -> tuple[str, str]:
        html = self.html.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url).replace(
            EMAIL_PLACEHOLDER, escape(email)
        )
        text = self.text.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url).replace(
            EMAIL_PLACEHOLDER, email
        )
        return html, text

    def with_subject(self, subject: str) -> RenderedIssue:
        return replace(self, subject=subject, subject_header=_subject_header(subject))


def render_issue(issue: Issue) -> RenderedIssue:
    context = {
        **issue_context(issue),
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        "recipient": EMAIL_PLACEHOLDER,
    }
    html = inline_css(render_to_string("emails/issue.html", context))
    text = render_to_string("emails/issue.txt", context)
    subject = " ".join(issue.subject.split())
    return RenderedIssue(
        issue_id=issue.pk,
        subject=subject,
        html=html,
        text=text.replace("\r\n", "\n"),
        subject_header=_subject_header(subject),
        from_email=settings.DEFAULT_FROM_EMAIL,
    )


def _subject_header(subject: str) -> str:
    if subject.isascii():
        return subject
    return Header(subject, "utf-8").encode(linesep="\r\n")


@lru_cache(maxsize=4)
def _rendered(issue_id: int, version: str) -> RenderedIssue:
    issue = Issue.objects.get(pk=issue_id)
    return render_issue(issue)


def rendered_issue(issue: Issue) -> RenderedIssue:
    """The issue's shared rendering, computed once per process and version."""
    return _rendered(issue.pk, issue.updated_at.isoformat())


class _PrebuiltMessage:
    """The small part of `email.message.Message` that mail backends use."""

    def __init__(self, data: bytes, headers: dict[str, str]) -> None:
        self.data = data
        self.headers = headers

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        if linesep == "\r\n":
            return self.data
        return self.data.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, linesep: str = "\n") -> str:
        return self.as_bytes(linesep=linesep).decode("utf-8")

    def get_charset(self) -> None:
        return None

    def __getitem__(self, name: str) -> str | None:
        return self.headers.get(name)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name, default)


def _qp(text: str) -> bytes:
    encoded = binascii.b2a_qp(text.encode("utf-8"), istext=True)
    return encoded.replace(b"\n", b"\r\n")


def _header_address(address: str) -> str:
    if address.isascii():
        return address
    return sanitize_address(address, "utf-8")


class IssueEmail(EmailMultiAlternatives):
    """A subscriber's copy of an issue, with its MIME bytes built directly.

    The attributes are those of any EmailMultiAlternatives, so API backends
    (django-anymail) and the test outbox see an ordinary message; the SMTP
    and console backends call `message()`, which skips the `email` package.
    """

    def __init__(
        self,
        *,
        rendered: RenderedIssue,
        email: str,
        unsubscribe_url: str,
        message_id: str,
        date: str,
    ) -> None:
        html, text = rendered.personalise(email=email, unsubscribe_url=unsubscribe_url)
        headers = {
            "Message-ID": message_id,
            "Date": date,
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"Weekly AI Tool Verdicts <weekly.{site_domain()}>",
        }
        super().__init__(
            subject=rendered.subject,
            body=text,
            from_email=rendered.from_email,
            to=[email],
            headers=headers,
            alternatives=[(html, "text/html")],
        )
        self._rendered = rendered
        self._html = html

    def message(self, *, policy: Any = None) -> _PrebuiltMessage:  # type: ignore[override]
        boundary = "=_verdicts_" + self.extra_headers["Message-ID"].strip("<>").split(
            "@"
        )[0].replace(".", "_")
        header_lines = [
            f"From: {_header_address(self.from_email)}",
            f"To: {_header_address(self.to[0])}",
            f"Subject: {self._rendered.subject_header}",
            *(f"{name}: {value}" for name, value in self.extra_headers.items()),
            "MIME-Version: 1.0",
            f'Content-Type: multipart/alternative; boundary="{boundary}"',
        ]
        part_head = (
            'Content-Type: text/{}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        )
        data = b"".join(
            [
                "\r\n".join(header_lines).encode("utf-8"),
                b"\r\n\r\n",
                f"--{boundary}\r\n".encode(),
                part_head.format("plain").encode(),
                _qp(self.body),
                f"\r\n--{boundary}\r\n".encode(),
                part_head.format("html").encode(),
                _qp(self._html),
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
        return _PrebuiltMessage(data, {**self.extra_headers, "Subject": self.subject})


def issue_email(
    *,
    rendered: RenderedIssue,
    subscriber_id: int,
    email: str,
    unsubscribe_url: str,
    date: str | None = None,
) -> IssueEmail:
    return IssueEmail(
        rendered=rendered,
        email=email,
        unsubscribe_url=unsubscribe_url,
        message_id=message_id_for(
            issue_id=rendered.issue_id, subscriber_id=subscriber_id
        ),
        date=date or formatdate(usegmt=True),
    )
