from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from comparisons.models import Comparison
from comparisons.services import comparison_publish, comparison_unpublish
from reviewers.panel import scorecard_for


@admin.register(Comparison)
class ComparisonAdmin(admin.ModelAdmin):
    list_display = ["title", "status_label", "published_at", "author", "updated_at"]
    list_filter = ["status", "left__category"]
    list_select_related = ["left", "right", "author"]
    search_fields = ["left__name", "right__name", "slug"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["left", "right"]
    readonly_fields = [
        "status_label",
        "slug",
        "scorecard_preview",
        "author",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": [("left", "right"), "slug", "standfirst", "bottom_line"]}),
        ("Panel", {"fields": ["scorecard_preview"]}),
        (
            "Publication",
            {
                "fields": [
                    "status_label",
                    "status",
                    "published_at",
                    "author",
                    ("created_at", "updated_at"),
                ]
            },
        ),
    ]
    actions = ["publish", "unpublish"]

    @admin.display(description="title", ordering="left__name")
    def title(self, comparison: Comparison) -> str:
        return comparison.title

    @admin.display(description="state")
    def status_label(self, comparison: Comparison) -> str:
        if comparison.pk is None:
            return "Not saved yet"
        return comparison.status_label

    @admin.display(description="scorecard")
    def scorecard_preview(self, comparison: Comparison) -> SafeString:
        if comparison.pk is None:
            return SafeString(
                "<p>Choose both tools and save to see the panel's scorecard.</p>"
            )
        return render_to_string(
            "admin/comparisons/scorecard_preview.html",
            {"scorecard": scorecard_for(comparison.tools)},
        )

    def save_model(self, request: HttpRequest, obj: Comparison, form, change):
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    @admin.action(
        description="Publish the selected comparisons", permissions=["change"]
    )
    def publish(self, request: HttpRequest, queryset: QuerySet[Comparison]) -> None:
        count = 0
        for comparison in queryset.select_related("left", "right"):
            comparison_publish(comparison=comparison, by=request.user)
            count += 1
        self.message_user(
            request,
            f"Published {count} comparison{'s' if count != 1 else ''}.",
            messages.SUCCESS,
        )

    @admin.action(
        description="Unpublish the selected comparisons", permissions=["change"]
    )
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Comparison]) -> None:
        count = 0
        for comparison in queryset.select_related("left", "right"):
            comparison_unpublish(comparison=comparison)
            count += 1
        self.message_user(
            request,
            f"Unpublished {count} comparison{'s' if count != 1 else ''}; readers "
            "no longer see them.",
            messages.SUCCESS,
        )
