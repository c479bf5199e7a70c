"""Writes with side effects on comparisons: the editorial workflow.

Each service checks the person's permission itself (`by=None` means the
scheduler) by the rules in workflow.py, keeps a revision of what it saved
and writes an audit entry, in one transaction. A refusal raises
WorkflowRefused with the reason in words an editor can act on.
"""

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from reversion.models import Version

from comparisons.models import (
    PENDING_FIELDS,
    Comparison,
    ComparisonQuerySet,
    PreviewLink,
)
from comparisons.workflow import (
    Permission,
    User,
    WorkflowRefused,
    can,
    comparison_publish_check,
    require,
)
from editorial.models import Action
from editorial.revisions import revision_by
from editorial.services import audit_record

logger = logging.getLogger(__name__)


@transaction.atomic
def comparison_save_edit(
    *, comparison: Comparison, by: User | None, created: bool = False
) -> Comparison:
    """Save an editor's edit; on a published comparison, as pending changes.

    `comparison` carries the edited text; on a published comparison the
    row's published text is put back and the edit kept in
    `pending_changes`, so readers see no change until they are published.
    """
    if created:
        require(by, Permission.ADD, "write comparisons")
    else:
        require(by, Permission.CHANGE, "edit comparisons")
    edited = {name: getattr(comparison, name) for name in PENDING_FIELDS}
    stored = (
        Comparison.objects.filter(pk=comparison.pk)
        .values(
            *PENDING_FIELDS, "pending_changes", "left_id", "right_id", "published_at"
        )
        .first()
    )
    # The pair is the page's address, so it is not draftable: once readers
    # have had the page, changing it would break every link to it.
    if (
        stored is not None
        and stored["published_at"] is not None
        and (stored["left_id"], stored["right_id"])
        != (comparison.left_id, comparison.right_id)
    ):
        raise WorkflowRefused(
            "The two tools of a comparison that has been published cannot "
            "change: its address is made from them. Write a new comparison "
            "instead."
        )
    if comparison.keeps_changes_pending and stored is not None:
        live = {name: stored[name] for name in PENDING_FIELDS}
        comparison.pending_changes = None if edited == live else edited
        for name, value in live.items():
            setattr(comparison, name, value)
        comment = (
            "Saved unpublished changes"
            if comparison.pending_changes
            else "Saved, no changes"
        )
    else:
        comparison.pending_changes = None
        comment = "Created" if created else "Saved the draft"
    if created and comparison.author_id is None and by is not None:
        comparison.author = by
    # What an editor scheduled is what gets published: an edit by someone who
    # may not publish sends a scheduled comparison back to review.
    reopened = (
        stored is not None
        and comparison.scheduled_at is not None
        and not can(by, Permission.PUBLISH)
        and _changed(stored, comparison, edited)
    )
    if reopened:
        comparison.scheduled_at = None
        comparison.review_requested_at = timezone.now()
        comparison.review_requested_by = by
        comment += "; schedule cancelled, back in review"
    with revision_by(by, comment):
        comparison.save()
    if reopened:
        audit_record(
            action=Action.UNSCHEDULED,
            actor=by,
            obj=comparison,
            detail="Edited after it was scheduled; back in review for an editor",
        )
    return comparison


def _changed(stored: dict, comparison: Comparison, edited: dict[str, str]) -> bool:
    """Whether the edit differs from what was saved before it."""
    before = {name: stored[name] for name in PENDING_FIELDS} | (
        stored["pending_changes"] or {}
    )
    return (
        edited != {name: before[name] for name in PENDING_FIELDS}
        or stored["left_id"] != comparison.left_id
        or stored["right_id"] != comparison.right_id
    )


@transaction.atomic
def comparison_submit(*, comparison: Comparison, by: User) -> Comparison:
    """Ask an editor to review the draft (or the pending changes)."""
    require(by, Permission.SUBMIT, "submit for review")
    if not comparison.has_something_to_publish:
        raise WorkflowRefused(
            "There is nothing to review: the comparison is live and has no "
            "unpublished changes."
        )
    if comparison.in_review:
        raise WorkflowRefused("This comparison is already in review.")
    comparison.review_requested_at = timezone.now()
    comparison.review_requested_by = by
    with revision_by(by, "Submitted for review"):
        comparison.save()
    audit_record(action=Action.SUBMITTED, actor=by, obj=comparison)
    return comparison


@transaction.atomic
def comparison_publish(
    *, comparison: Comparison, by: User | None = None, check: bool = True
) -> Comparison:
    """Make a comparison (or its pending changes) public now.

    Refused with the list of what is missing when a required piece is
    absent. A publication time already chosen is kept; a first publication
    by the schedule is dated at the scheduled time.
    """
    require(by, Permission.PUBLISH, "publish")
    if check:
        result = comparison_publish_check(comparison=comparison)
        if not result.ok:
            raise WorkflowRefused(
                f"{comparison} cannot be published yet:", result.problems
            )
    now = timezone.now()
    had_changes = comparison.has_pending_changes
    comparison.apply_pending_changes()
    comparison.status = Comparison.Status.PUBLISHED
    if comparison.published_at is None:
        comparison.published_at = min(comparison.scheduled_at or now, now)
    if comparison.expires_at is not None and comparison.expires_at <= now:
        comparison.expires_at = None
    if comparison.author_id is None and by is not None and by.is_authenticated:
        comparison.author = by
    scheduled = comparison.scheduled_at is not None
    comparison.scheduled_at = None
    comparison.review_requested_at = None
    comparison.review_requested_by = None
    how = "by the schedule" if by is None else "now"
    with revision_by(by, f"Published {how}"):
        comparison.save()
    audit_record(
        action=Action.PUBLISHED,
        actor=by,
        obj=comparison,
        detail=("Published the unpublished changes" if had_changes else "Published")
        + (" at the scheduled time" if scheduled and by is None else ""),
    )
    return comparison


@transaction.atomic
def comparison_schedule(
    *,
    comparison: Comparison,
    by: User,
    publish_at: datetime,
    expires_at: datetime | None = None,
) -> Comparison:
    """Have the scheduler publish the comparison (or its changes) later."""
    require(by, Permission.PUBLISH, "schedule")
    now = timezone.now()
    if publish_at <= now:
        raise WorkflowRefused(
            "Choose a publication time in the future, or publish now."
        )
    if expires_at is not None and expires_at <= publish_at:
        raise WorkflowRefused("The expiry must come after the publication time.")
    if not comparison.has_something_to_publish:
        raise WorkflowRefused(
            "This comparison is already live and has no unpublished changes "
            "to schedule."
        )
    result = comparison_publish_check(comparison=comparison)
    if not result.ok:
        raise WorkflowRefused(f"{comparison} cannot be scheduled yet:", result.problems)
    comparison.scheduled_at = publish_at
    comparison.expires_at = expires_at
    with revision_by(by, "Scheduled"):
        comparison.save()
    detail = f"For {timezone.localtime(publish_at):%Y-%m-%d %H:%M %Z}"
    if expires_at:
        detail += f", expiring {timezone.localtime(expires_at):%Y-%m-%d %H:%M %Z}"
    audit_record(action=Action.SCHEDULED, actor=by, obj=comparison, detail=detail)
    return comparison


@transaction.atomic
def comparison_unschedule(
    *, comparison: Comparison, by: User | None, reason: str = ""
) -> Comparison:
    require(by, Permission.PUBLISH, "cancel a schedule")
    if comparison.scheduled_at is None:
        raise WorkflowRefused("This comparison is not scheduled.")
    comparison.scheduled_at = None
    with revision_by(by, "Schedule cancelled"):
        comparison.save()
    audit_record(action=Action.UNSCHEDULED, actor=by, obj=comparison, detail=reason)
    return comparison


@transaction.atomic
def comparison_unpublish(
    *, comparison: Comparison, by: User | None = None, reason: str = ""
) -> Comparison:
    """Take a comparison off the site; its publication date is kept."""
    require(by, Permission.PUBLISH, "unpublish")
    if comparison.status != Comparison.Status.PUBLISHED:
        raise WorkflowRefused(f"{comparison} is not published.")
    comparison.status = Comparison.Status.DRAFT
    comparison.scheduled_at = None
    comparison.expires_at = None
    with revision_by(by, "Unpublished" + (f": {reason}" if reason else "")):
        comparison.save()
    audit_record(action=Action.UNPUBLISHED, actor=by, obj=comparison, detail=reason)
    return comparison


def revision_content(version: Version) -> dict[str, str]:
    """The text an editor last saved in a revision: its pending changes if
    it had them, otherwise the row's text."""
    data = version.field_dict
    pending = data.get("pending_changes") or {}
    return {name: pending.get(name, data.get(name) or "") for name in PENDING_FIELDS}


@transaction.atomic
def comparison_restore(
    *, comparison: Comparison, by: User, version: Version
) -> Comparison:
    """Bring back a revision's text as a new draft; nothing goes live."""
    require(by, Permission.RESTORE, "restore a revision")
    if version.object_id != str(comparison.pk) or version._model is not Comparison:
        raise WorkflowRefused("That revision belongs to another object.")
    content = revision_content(version)
    when = f"{timezone.localtime(version.revision.date_created):%Y-%m-%d %H:%M}"
    if comparison.keeps_changes_pending:
        live = {name: getattr(comparison, name) for name in PENDING_FIELDS}
        comparison.pending_changes = None if content == live else content
    else:
        for name, value in content.items():
            setattr(comparison, name, value)
        comparison.pending_changes = None
    with revision_by(by, f"Restored the revision of {when} as a draft"):
        comparison.save()
    audit_record(
        action=Action.RESTORED,
        actor=by,
        obj=comparison,
        detail=f"Restored the revision of {when} as a new draft",
    )
    return comparison


@dataclass(frozen=True)
class ScheduleRun:
    published: int
    unpublished: int
    held: int


def comparisons_run_schedule(*, now: datetime | None = None) -> ScheduleRun:
    """Publish what is due and unpublish what has expired.

    Each comparison is handled in its own transaction with its row locked
    (skipping rows another beat run holds), so a run can be repeated or
    overlap safely. A due comparison that fails the publish checks is held
    back: its schedule is cancelled with the reason in the audit log.
    """
    now = now or timezone.now()
    done = _one_by_one(lambda rows: rows.due(now), _publish_or_hold)
    done += _one_by_one(lambda rows: rows.expired(now), _expire)
    run = ScheduleRun(
        published=done["published"], unpublished=done["unpublished"], held=done["held"]
    )
    logger.info(
        "Schedule run: published %d, unpublished %d, held back %d",
        run.published,
        run.unpublished,
        run.held,
    )
    return run


def _one_by_one(
    pick: Callable[[ComparisonQuerySet], ComparisonQuerySet],
    act: Callable[[Comparison], str],
) -> Counter[str]:
    """Run `act` on each comparison `pick` selects, each in its own
    transaction with its row locked; a row another run holds, or that no
    longer matches once locked, is left to that run. Counts the outcomes."""
    done: Counter[str] = Counter()
    for pk in pick(Comparison.objects.all()).values_list("pk", flat=True):
        with transaction.atomic():
            locked = Comparison.objects.select_for_update(
                skip_locked=True, of=("self",)
            )
            comparison = pick(locked).filter(pk=pk).first()
            if comparison is not None:
                done[act(comparison)] += 1
    return done


def _publish_or_hold(comparison: Comparison) -> str:
    result = comparison_publish_check(comparison=comparison)
    if not result.ok:
        comparison_unschedule(
            comparison=comparison,
            by=None,
            reason="Not published at the scheduled time: " + " ".join(result.problems),
        )
        return "held"
    comparison_publish(comparison=comparison, by=None, check=False)
    return "published"


def _expire(comparison: Comparison) -> str:
    comparison_unpublish(
        comparison=comparison, by=None, reason="Reached its expiry time"
    )
    return "unpublished"


@transaction.atomic
def preview_link_create(
    *, comparison: Comparison, by: User, lifetime: timedelta | None = None
) -> PreviewLink:
    require(by, Permission.CHANGE, "share a preview")
    now = timezone.now()
    link = PreviewLink.objects.create(
        comparison=comparison,
        created_by=by,
        created_at=now,
        expires_at=now + (lifetime or PreviewLink.DEFAULT_LIFETIME),
    )
    audit_record(
        action=Action.PREVIEW_LINK_CREATED,
        actor=by,
        obj=comparison,
        detail=f"Link {link.pk}, valid until "
        f"{timezone.localtime(link.expires_at):%Y-%m-%d %H:%M %Z}",
    )
    return link


@transaction.atomic
def preview_link_revoke(*, link: PreviewLink, by: User) -> PreviewLink:
    require(by, Permission.CHANGE, "revoke a preview link")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit_record(
            action=Action.PREVIEW_LINK_REVOKED,
            actor=by,
            obj=link.comparison,
            detail=f"Link {link.pk}",
        )
    return link
