"""Verdict changes for review: contributors propose, editors publish or
reject, seeing the current verdict beside the proposed one."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import (
    Case,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from editorial.models import Action
from editorial.services import audit_record
from reviewers.models import Decision, Review, VerdictProposal
from reviewers.proposals import (
    ProposalDecided,
    verdict_proposal_publish,
    verdict_proposal_reject,
    verdict_propose,
)
from tools.models import Verdict

PUBLISH = "reviewers.publish_verdictproposal"
DECISION_FIELD = "_decision"


class VerdictProposalForm(forms.ModelForm):
    class Meta:
        model = VerdictProposal
        fields = ["reviewer", "tool", "verdict", "quote", "reason"]

    def clean(self):
        cleaned = super().clean()
        reviewer, tool = cleaned.get("reviewer"), cleaned.get("tool")
        waiting = VerdictProposal.objects.filter(
            reviewer=reviewer, tool=tool, decision=Decision.PENDING
        ).exclude(pk=self.instance.pk)
        if reviewer and tool and waiting.exists():
            raise forms.ValidationError(
                "A change to this verdict is already waiting for an editor; "
                "change that one instead."
            )
        if reviewer and tool and "verdict" in cleaned:
            current = Review.objects.filter(reviewer=reviewer, tool=tool).first()
            if (
                current is not None
                and current.verdict == cleaned["verdict"]
                and current.quote.strip() == (cleaned.get("quote") or "").strip()
            ):
                raise forms.ValidationError(
                    f"{reviewer} already says {current.get_verdict_display().lower()} "
                    f"on {tool} with this quote: there is nothing to change."
                )
        return cleaned


@admin.register(VerdictProposal)
class VerdictProposalAdmin(admin.ModelAdmin):
    form = VerdictProposalForm
    change_form_template = "admin/reviewers/verdictproposal/change_form.html"
    list_display = [
        "reviewer",
        "tool",
        "current",
        "proposed",
        "proposed_by",
        "proposed_at",
        "decision",
    ]
    list_filter = ["decision", "reviewer"]
    list_select_related = ["reviewer", "tool", "proposed_by"]
    search_fields = ["tool__name", "reviewer__name"]
    autocomplete_fields = ["reviewer", "tool"]
    actions = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[VerdictProposal]:
        waiting_first = Case(
            When(decision=Decision.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        current = Review.objects.filter(
            reviewer=OuterRef("reviewer"), tool=OuterRef("tool")
        ).order_by()
        return (
            super()
            .get_queryset(request)
            .annotate(current_verdict=Subquery(current.values("verdict")[:1]))
            .order_by(waiting_first, "-proposed_at")
        )

    # Who may do what: anyone with the add permission proposes; the one
    # who proposed may change a change still waiting; editors decide.

    def _decides(self, request: HttpRequest) -> bool:
        return request.user.has_perm(PUBLISH)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        return obj.is_pending and (
            self._decides(request) or obj.proposed_by_id == request.user.pk
        )

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return ["reviewer", "tool", "verdict", "quote"]
        return ["side_by_side", "reviewer", "tool", "verdict", "quote", "reason"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return []
        fixed = ["side_by_side", "reviewer", "tool"]
        if not obj.is_pending or not self.has_change_permission(request, obj):
            return [*fixed, "verdict", "quote", "reason"]
        if obj.proposed_by_id == request.user.pk and not self._decides(request):
            return [*fixed, "reason"]
        return [*fixed, "verdict", "quote"]

    @admin.display(description="now")
    def current(self, obj: VerdictProposal) -> str:
        verdict = getattr(obj, "current_verdict", None)
        return Verdict(verdict).label if verdict else "No verdict yet"

    @admin.display(description="proposed", ordering="verdict")
    def proposed(self, obj: VerdictProposal) -> str:
        return obj.get_verdict_display()

    @admin.display(description="the verdict now and as proposed")
    def side_by_side(self, obj: VerdictProposal) -> SafeString:
        review = self._current_review(obj)
        now = (
            (review.get_verdict_display(), review.quote)
            if review
            else ("No verdict yet", "")
        )
        return format_html(
            '<table class="proposal-side-by-side"><thead><tr><th></th>'
            "<th>Now</th><th>Proposed</th></tr></thead><tbody>"
            "<tr><th>Verdict</th><td>{}</td><td><strong>{}</strong></td></tr>"
            "<tr><th>Quote</th><td>{}</td><td>{}</td></tr></tbody></table>",
            now[0],
            obj.get_verdict_display(),
            now[1],
            obj.quote,
        )

    def _current_review(self, obj: VerdictProposal) -> Review | None:
        return Review.objects.filter(
            reviewer_id=obj.reviewer_id, tool_id=obj.tool_id
        ).first()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        context = {**(extra_context or {}), "can_decide": self._decides(request)}
        return super().changeform_view(request, object_id, form_url, context)

    def save_model(self, request: HttpRequest, obj: VerdictProposal, form, change):
        if not change:
            verdict_propose(proposal=obj, by=request.user)
            return
        # Only what this form changed, and only while the change still
        # waits: a full save could write back a decision taken meanwhile.
        fields = [f for f in form.changed_data if f in ("verdict", "quote", "reason")]
        if not fields:
            return
        with transaction.atomic():
            locked = VerdictProposal.objects.select_for_update().get(pk=obj.pk)
            if not locked.is_pending:
                request._proposal_decided = locked.get_decision_display().lower()
                return
            obj.save(update_fields=fields)
            audit_record(
                action=Action.EDITED,
                actor=request.user,
                obj=obj,
                detail="Changed " + ", ".join(fields),
            )

    def response_add(self, request: HttpRequest, obj: VerdictProposal, post_url=None):
        self.message_user(
            request,
            f"Your change to {obj.reviewer}'s verdict on {obj.tool} waits for an "
            "editor; readers see the current verdict until it is published.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse("admin:reviewers_verdictproposal_changelist")
        )

    def response_change(self, request: HttpRequest, obj: VerdictProposal):
        decided = getattr(request, "_proposal_decided", "")
        if decided:
            self.message_user(
                request,
                f"This change was {decided} meanwhile; what you typed was not saved.",
                messages.ERROR,
            )
            return HttpResponseRedirect(
                reverse("admin:reviewers_verdictproposal_changelist")
            )
        decision = request.POST.get(DECISION_FIELD, "")
        if not decision:
            return super().response_change(request, obj)
        if not self._decides(request):
            self.message_user(
                request,
                "Publishing or rejecting a verdict change needs the Editor role.",
                messages.ERROR,
            )
        else:
            try:
                if decision == "publish":
                    verdict_proposal_publish(proposal=obj, by=request.user)
                    self.message_user(
                        request,
                        f"Published: {obj.reviewer} now says "
                        f"{obj.get_verdict_display().lower()} on {obj.tool}.",
                        messages.SUCCESS,
                    )
                elif decision == "reject":
                    verdict_proposal_reject(
                        proposal=obj, by=request.user, reason=obj.reason
                    )
                    self.message_user(
                        request,
                        "Rejected: the verdict stays as it was.",
                        messages.SUCCESS,
                    )
            except ProposalDecided as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
        return HttpResponseRedirect(
            reverse("admin:reviewers_verdictproposal_changelist")
        )
