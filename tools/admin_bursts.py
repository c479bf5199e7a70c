"""Vote bursts in the admin: what was held, minute by minute, and the
editor's decision to count the votes or remove them."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.db.models.functions import TruncMinute
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from tools.bursts import BurstDecided, burst_accept, burst_remove
from tools.models import Vote, VoteBurst

DECISION_FIELD = "_burst"


@admin.register(VoteBurst)
class VoteBurstAdmin(admin.ModelAdmin):
    change_form_template = "admin/tools/voteburst/change_form.html"
    list_display = ["tool", "detected_at", "votes_in_window", "usual", "status"]
    list_filter = ["status"]
    list_select_related = ["tool"]
    search_fields = ["tool__name"]
    fields = [
        "tool",
        "window_start",
        "detected_at",
        "votes_in_window",
        "usual",
        "status",
        "decided_by",
        "decided_at",
        "votes_decided",
    ]
    readonly_fields = fields
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="usual in a window this long")
    def usual(self, burst: VoteBurst) -> str:
        return f"{burst.usual_in_window:.1f}"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        burst = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if burst is not None:
            held = Vote.objects.filter(tool=burst.tool, held=True)
            by_minute = list(
                held.annotate(minute=TruncMinute("cast_at"))
                .values("minute")
                .annotate(
                    ship=Count("pk", filter=Q(verdict=Vote.Verdict.SHIP)),
                    total=Count("pk"),
                )
                .order_by("minute")
            )
            context.update(
                {
                    "held_by_minute": [
                        {**row, "skip": row["total"] - row["ship"]} for row in by_minute
                    ],
                    "held_total": sum(row["total"] for row in by_minute),
                    "can_decide": burst.is_pending
                    and self.has_change_permission(request, burst),
                    "votes_url": reverse(
                        "admin:tools_tool_votes", args=[burst.tool_id]
                    ),
                }
            )
        return super().change_view(request, object_id, form_url, context)

    def save_model(self, request: HttpRequest, obj: VoteBurst, form, change):
        """Nothing on the page is edited; the decision is taken by
        `response_change`, on the row as it is then."""

    def response_change(self, request: HttpRequest, obj: VoteBurst):
        decision = request.POST.get(DECISION_FIELD, "")
        try:
            seen = int(request.POST.get("held_seen", ""))
        except ValueError:
            seen = None
        back = HttpResponseRedirect(
            reverse("admin:tools_voteburst_change", args=[obj.pk])
        )
        try:
            if decision == "accept":
                count = burst_accept(burst=obj, by=request.user, seen=seen)
                self.message_user(
                    request,
                    format_html(
                        "Accepted: the {} held vote{} on {} count now.",
                        count,
                        "" if count == 1 else "s",
                        obj.tool,
                    ),
                    messages.SUCCESS,
                )
            elif decision == "remove":
                count = burst_remove(burst=obj, by=request.user, seen=seen)
                self.message_user(
                    request,
                    f"Removed the {count} held vote{'' if count == 1 else 's'} on "
                    f"{obj.tool}; the figures never counted them.",
                    messages.SUCCESS,
                )
            else:
                return super().response_change(request, obj)
        except BurstDecided as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
        return back
