from collections.abc import Callable
from datetime import timedelta
from typing import ClassVar

from django.contrib import admin, messages
from django.contrib.admin.options import InlineModelAdmin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncHour, TruncMinute
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from editorial.admin import AuditedAdminMixin, RevisionAdmin
from pictures.admin import picture_preview
from tools import admin_bursts  # noqa: F401 - registers its admin
from tools.community import community_figure, community_figure_of, with_community
from tools.forms import VoteWindowForm
from tools.models import LOGO_SIZE, Category, Tool, Vote
from tools.services import votes_remove


@admin.register(Category)
class CategoryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "tool_count"]
    list_per_page = 50
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return super().get_queryset(request).annotate(tools_in_it=Count("tools"))

    @admin.display(description="tools", ordering="tools_in_it")
    def tool_count(self, category: Category) -> int:
        return category.tools_in_it


ToolColumn = Callable[[Tool], str]
ToolAnnotation = Callable[[QuerySet[Tool]], QuerySet[Tool]]


@admin.register(Tool)
class ToolAdmin(RevisionAdmin):
    """The catalogue's one Tool admin.

    The apps above the catalogue may import it but it may not import them,
    so what they show on a tool's admin pages is plugged in through
    `plug_into_tool_admin`: the panel adds its verdicts inline and its
    figure as a list column.
    """

    list_display = ["name", "category", "pricing_tier", "community", "updated_at"]
    list_filter = ["category", "pricing_tier"]
    list_select_related = ["category"]
    search_fields = ["name", "tagline", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "slug", "category", "tagline", "website"]}),
        ("Editorial description", {"fields": ["description"]}),
        ("Pricing", {"fields": ["pricing_tier", "pricing_note"]}),
        ("Logo", {"fields": ["logo", "logo_alt", "logo_preview"]}),
        ("Community votes", {"fields": ["community_votes"]}),
    ]
    revision_fields = [
        "name",
        "slug",
        "category",
        "tagline",
        "website",
        "description",
        "pricing_tier",
        "pricing_note",
        "logo",
        "logo_alt",
    ]
    readonly_fields = ["logo_preview", "community_votes"]

    plugged_inlines: ClassVar[list[type[InlineModelAdmin]]] = []
    plugged_columns: ClassVar[list[ToolColumn]] = []
    plugged_annotations: ClassVar[list[ToolAnnotation]] = []

    def get_inlines(self, request: HttpRequest, obj: Tool | None) -> list:
        return [*super().get_inlines(request, obj), *self.plugged_inlines]

    def get_list_display(self, request: HttpRequest) -> list:
        """Plugged columns go after the entry tier, before the community."""
        columns = list(super().get_list_display(request))
        at = columns.index("pricing_tier") + 1
        return [*columns[:at], *self.plugged_columns, *columns[at:]]

    @admin.display(description="as readers see it")
    def logo_preview(self, tool: Tool) -> SafeString:
        if tool.pk is None:
            return SafeString("<p>Shown after saving: the logo, or the initials.</p>")
        return picture_preview(tool.logo_picture, size=LOGO_SIZE)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tool]:
        tools = with_community(super().get_queryset(request))
        for annotate in self.plugged_annotations:
            tools = annotate(tools)
        # Aggregates drop the model's ordering; lists and autocomplete keep it.
        return tools.order_by(*Tool._meta.ordering)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/votes/",
                self.admin_site.admin_view(self.votes_view),
                name="tools_tool_votes",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="community", ordering="community_total")
    def community(self, tool: Tool) -> str:
        return str(community_figure_of(tool))

    @admin.display(description="totals")
    def community_votes(self, tool: Tool) -> str:
        if tool.pk is None:
            return "Readers can vote once the tool is saved."
        figure = community_figure_of(tool)
        return format_html(
            "{} ship, {} skip: the site shows {} ({}). "
            '<a href="{}">Votes by hour and clean-up</a>',
            figure.ship,
            figure.skip,
            figure.label,
            figure.counts.lower(),
            reverse("admin:tools_tool_votes", args=[tool.pk]),
        )

    def votes_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Vote totals on one tool, and removal of the votes cast in a window.

        Removing takes two steps: the first shows how many votes the window
        holds, the second (a confirmation) deletes them.
        """
        tool = get_object_or_404(Tool, pk=object_id)
        if not self.has_view_permission(request, tool):
            raise PermissionDenied
        may_remove = request.user.has_perm("tools.delete_vote")
        votes = Vote.objects.filter(tool=tool)
        to_remove = None
        if request.method == "POST":
            if not may_remove:
                raise PermissionDenied
            form = VoteWindowForm(request.POST)
            if form.is_valid():
                start, end = form.cleaned_data["start"], form.cleaned_data["end"]
                if "confirm" in request.POST:
                    removed = votes_remove(tool=tool, start=start, end=end)
                    figure = community_figure(tool.pk)
                    self.message_user(
                        request,
                        f"Removed {removed} vote{'s' if removed != 1 else ''} on "
                        f"{tool.name}. The community figure is now {figure}.",
                        messages.SUCCESS,
                    )
                    return redirect("admin:tools_tool_votes", tool.pk)
                in_window = votes.cast_between(start, end)
                to_remove = in_window.aggregate(
                    ship=Count("pk", filter=Q(verdict=Vote.Verdict.SHIP)),
                    total=Count("pk"),
                )
                # Which votes they are, minute by minute and one by one, so
                # the editor sees what goes before it goes.
                to_remove["by_minute"] = [
                    {**row, "skip": row["total"] - row["ship"]}
                    for row in in_window.annotate(minute=TruncMinute("cast_at"))
                    .values("minute")
                    .annotate(
                        ship=Count("pk", filter=Q(verdict=Vote.Verdict.SHIP)),
                        total=Count("pk"),
                    )
                    .order_by("minute")
                ]
                to_remove["votes"] = list(
                    in_window.order_by("cast_at").values(
                        "cast_at", "verdict", "reader", "held"
                    )[:VOTES_LISTED]
                )
        else:
            form = VoteWindowForm(initial=request.GET.dict() or None)

        since = timezone.now() - timedelta(days=7)
        by_hour = (
            votes.filter(cast_at__gte=since)
            .annotate(hour=TruncHour("cast_at"))
            .values("hour")
            .annotate(
                ship=Count("pk", filter=Q(verdict=Vote.Verdict.SHIP)),
                total=Count("pk"),
            )
            .order_by("-hour")
        )
        hours = [
            {
                **row,
                "skip": row["total"] - row["ship"],
                "end": row["hour"] + timedelta(hours=1),
            }
            for row in by_hour
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Community votes on {tool.name}",
            "tool": tool,
            "figure": community_figure(tool.pk),
            "hours": hours,
            "form": form,
            "to_remove": to_remove,
            "may_remove": may_remove,
        }
        return TemplateResponse(request, "admin/tools/tool_votes.html", context)


#: How many of a clean-up window's votes the confirmation lists one by one.
VOTES_LISTED = 200


def plug_into_tool_admin(
    *,
    inline: type[InlineModelAdmin] | None = None,
    column: ToolColumn | None = None,
    annotate: ToolAnnotation | None = None,
) -> None:
    """Show an app's part of a tool on the Tool admin (called once, from that
    app's admin module): an inline, a list column, and the annotation of the
    list's query that the column reads (so the list stays one query)."""
    if inline is not None and inline not in ToolAdmin.plugged_inlines:
        ToolAdmin.plugged_inlines.append(inline)
    if column is not None and column not in ToolAdmin.plugged_columns:
        ToolAdmin.plugged_columns.append(column)
    if annotate is not None and annotate not in ToolAdmin.plugged_annotations:
        ToolAdmin.plugged_annotations.append(annotate)
