"""The rules of the editorial workflow: who may do what, and what a
comparison needs before it is published. Read-only; the writes that follow
these rules are in services.py."""

from dataclasses import dataclass, field
from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from comparisons.models import Comparison
from reviewers.panel import scorecard_for

User = AbstractBaseUser | AnonymousUser

META_DESCRIPTION_LIMIT = 160


class WorkflowRefused(Exception):
    """An editorial action that may not happen, with the reasons why."""

    def __init__(self, message: str, reasons: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reasons = reasons or []

    def __str__(self) -> str:
        if not self.reasons:
            return self.message
        return f"{self.message} {' '.join(self.reasons)}"


@dataclass(frozen=True)
class PublishCheck:
    """What stops a comparison from being published, and what only warns."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class Permission(StrEnum):
    """The workflow's permissions, as `has_perm` names them; the custom ones
    are declared in Comparison.Meta.permissions."""

    ADD = "comparisons.add_comparison"
    CHANGE = "comparisons.change_comparison"
    VIEW = "comparisons.view_comparison"
    SUBMIT = "comparisons.submit_comparison"
    PUBLISH = "comparisons.publish_comparison"
    RESTORE = "comparisons.restore_comparison"


PERMISSION_NEEDS = {
    Permission.SUBMIT: "submitting for review needs the Contributor or Editor role",
    Permission.PUBLISH: "publishing, scheduling and unpublishing need the Editor role",
    Permission.RESTORE: "restoring a revision needs the Editor role",
    Permission.CHANGE: "editing comparisons needs the Contributor or Editor role",
    Permission.ADD: "writing comparisons needs the Contributor or Editor role",
}


def can(user: User | None, permission: str) -> bool:
    """The scheduler (None) may do anything; people need the permission."""
    if user is None:
        return True
    return bool(user.is_active and user.is_staff and user.has_perm(permission))


def can_preview(user: User) -> bool:
    """Staff who may see comparisons in the admin may read drafts on the site."""
    return bool(user.is_active and user.is_staff) and user.has_perm(Permission.VIEW)


def require(user: User | None, permission: str, verb: str) -> None:
    if not can(user, permission):
        raise WorkflowRefused(f"You cannot {verb}: {PERMISSION_NEEDS[permission]}.")


def comparison_publish_check(*, comparison: Comparison) -> PublishCheck:
    """Check the comparison as it would be published (with its draft)."""
    candidate = comparison.with_pending_changes()
    problems = []
    if not candidate.standfirst.strip():
        problems.append("The standfirst is empty.")
    if not candidate.bottom_line.strip():
        problems.append("The bottom line is empty.")
    scorecard = scorecard_for(candidate.tools)
    if not scorecard.rows:
        problems.append("There are no active personas on the panel.")
    problems.extend(f"{gap}." for gap in scorecard.missing)
    warnings = []
    if len(candidate.standfirst) > META_DESCRIPTION_LIMIT:
        warnings.append(
            f"The standfirst is {len(candidate.standfirst)} characters; search "
            f"engines show the first {META_DESCRIPTION_LIMIT} as the "
            "description."
        )
    for tool in candidate.tools:
        if tool.logo and not tool.logo_alt.strip():
            warnings.append(f"{tool.name}'s logo has no alt text.")
    return PublishCheck(problems=problems, warnings=warnings)
