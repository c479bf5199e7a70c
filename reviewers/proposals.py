"""Verdict changes that wait for an editor: proposing, publishing and
rejecting them. Publishing saves the verdict as an editor's own change
would, so the figures move and the public "moved from skip to ship" note is
written in the same transaction."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from editorial.models import Action
from editorial.services import audit_record
from reviewers.models import Decision, Review, VerdictProposal


class ProposalDecided(Exception):
    """The proposal was already published or rejected; the message says so."""


def _open(proposal: VerdictProposal) -> VerdictProposal:
    locked = VerdictProposal.objects.select_for_update().get(pk=proposal.pk)
    if not locked.is_pending:
        raise ProposalDecided(
            f"This change was already {locked.get_decision_display().lower()}."
        )
    return locked


@transaction.atomic
def verdict_propose(
    *, proposal: VerdictProposal, by: AbstractBaseUser
) -> VerdictProposal:
    proposal.proposed_by = by
    proposal.save()
    audit_record(
        action=Action.SUBMITTED,
        actor=by,
        obj=proposal,
        detail=f"Proposed {proposal.get_verdict_display().lower()}",
    )
    return proposal


@transaction.atomic
def verdict_proposal_publish(
    *, proposal: VerdictProposal, by: AbstractBaseUser
) -> Review:
    """Make the proposed verdict the persona's verdict."""
    proposal = _open(proposal)
    review = Review.objects.filter(
        reviewer_id=proposal.reviewer_id, tool_id=proposal.tool_id
    ).first() or Review(reviewer_id=proposal.reviewer_id, tool_id=proposal.tool_id)
    review.verdict = proposal.verdict
    review.quote = proposal.quote
    review.save()
    proposal.decision = Decision.PUBLISHED
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["decision", "decided_by", "decided_at"])
    audit_record(action=Action.PUBLISHED, actor=by, obj=proposal)
    return review


@transaction.atomic
def verdict_proposal_reject(
    *, proposal: VerdictProposal, by: AbstractBaseUser, reason: str = ""
) -> VerdictProposal:
    proposal = _open(proposal)
    proposal.decision = Decision.REJECTED
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.reason = reason or proposal.reason
    proposal.save(update_fields=["decision", "decided_by", "decided_at", "reason"])
    audit_record(action=Action.REJECTED, actor=by, obj=proposal, detail=proposal.reason)
    return proposal
