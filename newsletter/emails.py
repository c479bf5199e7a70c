"""Building the weekly email: render once per issue, personalise per reader.

Everything all recipients share (the comparisons, both tools' logos, panel
and community figures, who splits, the bottom line, the inlined CSS) is
rendered once per issue and process, or once per subset of its comparisons
for readers who chose categories. Each subscriber's copy differs only in its
address, its unsubscribe and preferences links and its Message-ID, which are
filled into the prebuilt text with plain string replacement, and the MIME
bytes are assembled directly, so one email costs microseconds rather than a
template render and a run of the `email` package.
"""

from __future__ import annotations

import binascii
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from email.header import Header
from email.utils import formatdate
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import css_inline
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape

from comparisons.models import Comparison
from newsletter.models import Issue
from pictures.monograms import initials, monogram_colour
from pictures.templatetags.pictures import absolute
from reviewers.models import Review, Reviewer
from reviewers.panel import PanelFigure, Scorecard, ScorecardRow
from tools.community import CommunityFigure, community_figures
from tools.models import Tool

UNSUBSCRIBE_PLACEHOLDER = "https://unsubscribe.invalid/__VERDICTS_UNSUBSCRIBE__"
PREFERENCES_PLACEHOLDER = "https://preferences.invalid/__VERDICTS_PREFERENCES__"
EMAIL_PLACEHOLDER = "__VERDICTS_RECIPIENT__"


def site_domain() -> str:
    return _domain_of(settings.SITE_URL)


@lru_cache(maxsize=4)
def _domain_of(url: str) -> str:
    """Twice per email (its Message-ID and List-Id): parsed once."""
    return urlsplit(url).hostname or "localhost"


_TOKEN_SLOT = "00000000-0000-0000-0000-000000000000"


def unsubscribe_link_maker() -> Callable[[object], str]:
    """Unsubscribe links for many tokens at the cost of one `reverse`."""
    template = settings.SITE_URL + reverse("newsletter:unsubscribe", args=[_TOKEN_SLOT])
    return lambda token: template.replace(_TOKEN_SLOT, str(token))


def preferences_link_maker() -> Callable[[object], str]:
    """Preferences links for many tokens at the cost of one `reverse`."""
    template = settings.SITE_URL + reverse("newsletter:preferences", args=[_TOKEN_SLOT])
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


@dataclass(frozen=True)
class ToolInIssue:
    """One side of a comparison as the email shows it."""

    tool: Tool
    panel: PanelFigure
    community: CommunityFigure
    #: The logo's absolute URL, or "" when the tool has no logo (the email
    #: then shows `initials` on `colour`, which needs no image).
    logo_url: str
    logo_alt: str
    initials: str
    colour: str


@dataclass(frozen=True)
class Splitter:
    """A persona who ships one of the two tools and skips the other."""

    reviewer: Reviewer
    verdicts: tuple[tuple[Tool, str], ...]

    @property
    def verdicts_text(self) -> str:
        return ", ".join(f"{verdict} {tool.name}" for tool, verdict in self.verdicts)


@dataclass(frozen=True)
class IssueItem:
    """One comparison of the issue, with everything its entry shows."""

    comparison: Comparison
    url: str
    sides: tuple[ToolInIssue, ToolInIssue]
    scorecard: Scorecard
    bottom_line: str

    @property
    def figures(self) -> list[tuple[Tool, PanelFigure]]:
        return [(side.tool, side.panel) for side in self.sides]

    @property
    def split_summary(self) -> str:
        """The scorecard's sentence, once some persona has judged both tools
        (before that, "nobody splits" would say more than the panel did)."""
        judged_both = any(
            all(review for _, review in row.cells) for row in self.scorecard.rows
        )
        return self.scorecard.split_summary if judged_both else ""

    @property
    def splitters(self) -> list[Splitter]:
        return [
            Splitter(
                reviewer=row.reviewer,
                verdicts=tuple(
                    (tool, review.get_verdict_display().lower())
                    for tool, review in row.cells
                    if review
                ),
            )
            for row in self.scorecard.rows
            if row.splits
        ]


#: Logos are shown at this size in CSS pixels, from their 2x rendition.
EMAIL_LOGO_SIZE = 48


def _logo_url(tool: Tool) -> str:
    """The absolute address of the tool's sharpest PNG/JPEG logo rendition
    (email clients do not all show WebP), or "" without an uploaded logo."""
    renditions = tool.logo_renditions or {}
    if not tool.logo or not renditions.get("fallback"):
        return ""
    return absolute(default_storage.url(renditions["fallback"][-1]))


def _side(tool: Tool, panel: PanelFigure, community: CommunityFigure) -> ToolInIssue:
    red, green, blue = monogram_colour(tool.name)
    return ToolInIssue(
        tool=tool,
        panel=panel,
        community=community,
        logo_url=_logo_url(tool),
        logo_alt=tool.logo_alt or f"{tool.name} logo",
        initials=initials(tool.name),
        colour=f"#{red:02x}{green:02x}{blue:02x}",
    )


def _scorecards(comparisons: list[Comparison]) -> dict[int, Scorecard]:
    """Each comparison's scorecard, as `scorecard_for` builds it for the
    comparison page, from two queries for all of them rather than two each.

    Its panel figures are counted from the verdicts it holds, as on the
    comparison page, so the email and the page always tell the same figure.
    """
    tool_ids = {tool.pk for c in comparisons for tool in c.tools}
    reviewers = list(Reviewer.objects.active())
    reviews = {
        (review.reviewer_id, review.tool_id): review
        for review in Review.objects.on_panel().filter(tool__in=tool_ids).order_by()
    }
    ship = Counter(review.tool_id for review in reviews.values() if review.is_ship)
    total = Counter(review.tool_id for review in reviews.values())
    return {
        c.pk: Scorecard(
            tools=c.tools,
            rows=tuple(
                ScorecardRow(
                    reviewer=reviewer,
                    cells=tuple(
                        (tool, reviews.get((reviewer.pk, tool.pk))) for tool in c.tools
                    ),
                )
                for reviewer in reviewers
            ),
            figures=tuple(
                PanelFigure(ship=ship[tool.pk], total=total[tool.pk])
                for tool in c.tools
            ),
        )
        for c in comparisons
    }


def issue_summary(comparisons: list[Comparison]) -> str:
    """The sentence that opens the email, for however many comparisons."""
    titles = [comparison.title for comparison in comparisons]
    if not titles:
        return "This week: no new comparisons."
    if len(titles) == 1:
        return f"This week: one new comparison, {titles[0]}."
    listed = ", ".join(titles[:-1]) + f" and {titles[-1]}"
    return f"This week: {len(titles)} new comparisons, {listed}."


def issue_context(
    issue: Issue, comparison_ids: tuple[int, ...] | None = None
) -> dict[str, Any]:
    """What the email and the web copy show, in the same few queries however
    many comparisons there are; with `comparison_ids`, only those of the
    issue's comparisons, in issue order."""
    comparisons = issue.ordered_comparisons()
    if comparison_ids is not None:
        comparisons = comparisons.filter(pk__in=comparison_ids)
    comparisons = list(comparisons)
    community = community_figures(tool.pk for c in comparisons for tool in c.tools)
    scorecards = _scorecards(comparisons)
    items = [
        IssueItem(
            comparison=comparison,
            url=settings.SITE_URL + comparison.get_absolute_url(),
            sides=tuple(
                _side(tool, panel, community[tool.pk])
                for tool, panel in scorecards[comparison.pk].columns
            ),
            scorecard=scorecards[comparison.pk],
            bottom_line=comparison.bottom_line_summary,
        )
        for comparison in comparisons
    ]
    return {
        "issue": issue,
        "items": items,
        "summary": issue_summary(comparisons),
        "logo_size": EMAIL_LOGO_SIZE,
        "web_url": settings.SITE_URL + issue.get_absolute_url(),
        "archive_url": settings.SITE_URL + reverse("newsletter:issue-list"),
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }


@dataclass(frozen=True)
class RenderedIssue:
    """One issue's email with the reader-specific parts left as placeholders.

    It is rendered twice, with and without the preferences link, so that a
    caller with no preferences address gets no dead link, and personalising
    stays plain string replacement either way.
    """

    issue_id: int
    subject: str
    html: str
    text: str
    subject_header: str
    from_email: str
    html_without_preferences: str = ""
    text_without_preferences: str = ""
    #: The comparisons shown, when only some of the issue's are.
    comparison_ids: tuple[int, ...] | None = None

    def personalise(
        self, *, email: str, unsubscribe_url: str, preferences_url: str = ""
    ) -> tuple[str, str]:
        if preferences_url:
            html, text = self.html, self.text
        else:
            html = self.html_without_preferences or self.html
            text = self.text_without_preferences or self.text
        html = (
            html.replace(UNSUBSCRIBE_PLACEHOLDER, escape(unsubscribe_url))
            .replace(PREFERENCES_PLACEHOLDER, escape(preferences_url))
            .replace(EMAIL_PLACEHOLDER, escape(email))
        )
        text = (
            text.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url)
            .replace(PREFERENCES_PLACEHOLDER, preferences_url)
            .replace(EMAIL_PLACEHOLDER, email)
        )
        return html, text

    def with_subject(self, subject: str) -> RenderedIssue:
        return replace(self, subject=subject, subject_header=_subject_header(subject))


def render_issue(
    issue: Issue, comparison_ids: tuple[int, ...] | None = None
) -> RenderedIssue:
    context = {
        **issue_context(issue, comparison_ids),
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        "recipient": EMAIL_PLACEHOLDER,
    }
    parts = {}
    for preferences_url in (PREFERENCES_PLACEHOLDER, ""):
        context["preferences_url"] = preferences_url
        html = inline_css(render_to_string("emails/issue.html", context))
        text = render_to_string("emails/issue.txt", context).replace("\r\n", "\n")
        parts[bool(preferences_url)] = (html, text)
    subject = " ".join(issue.subject.split())
    return RenderedIssue(
        issue_id=issue.pk,
        subject=subject,
        html=parts[True][0],
        text=parts[True][1],
        subject_header=_subject_header(subject),
        from_email=settings.DEFAULT_FROM_EMAIL,
        html_without_preferences=parts[False][0],
        text_without_preferences=parts[False][1],
        comparison_ids=comparison_ids,
    )


def _subject_header(subject: str) -> str:
    if subject.isascii():
        return subject
    return Header(subject, "utf-8").encode(linesep="\r\n")


@lru_cache(maxsize=64)
def _rendered(
    issue_id: int, version: str, comparison_ids: tuple[int, ...] | None
) -> RenderedIssue:
    issue = Issue.objects.get(pk=issue_id)
    if comparison_ids is not None:
        everything = set(
            issue.issuecomparison_set.values_list("comparison_id", flat=True)
        )
        if everything <= set(comparison_ids):
            # The same content as the whole issue: render it once.
            return _rendered(issue_id, version, None)
    return render_issue(issue, comparison_ids)


def rendered_issue(
    issue: Issue, comparison_ids: tuple[int, ...] | None = None
) -> RenderedIssue:
    """The issue's shared rendering, computed once per process, version and
    subset of its comparisons (all of them when `comparison_ids` is None)."""
    subset = None if comparison_ids is None else tuple(sorted(set(comparison_ids)))
    return _rendered(issue.pk, issue.updated_at.isoformat(), subset)


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
        preferences_url: str = "",
    ) -> None:
        html, text = rendered.personalise(
            email=email,
            unsubscribe_url=unsubscribe_url,
            preferences_url=preferences_url,
        )
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
    preferences_url: str = "",
) -> IssueEmail:
    return IssueEmail(
        rendered=rendered,
        email=email,
        unsubscribe_url=unsubscribe_url,
        preferences_url=preferences_url,
        message_id=message_id_for(
            issue_id=rendered.issue_id, subscriber_id=subscriber_id
        ),
        date=date or formatdate(usegmt=True),
    )
