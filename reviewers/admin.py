from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from editorial.admin import RevisionAdmin
from pictures.admin import picture_preview
from reviewers import admin_proposals  # noqa: F401 - registers its admin
from reviewers.models import AVATAR_SIZE, Review, Reviewer
from reviewers.panel import panel_figure, with_panel
from tools.admin import plug_into_tool_admin
from tools.models import Tool


class MissingPersonasFormSet(BaseInlineFormSet):
    """Names a missing persona in each empty verdict form."""

    def __init__(self, *args, instance: Tool | None = None, **kwargs) -> None:
        missing = Reviewer.objects.active()
        if instance is not None and instance.pk:
            missing = missing.exclude(reviews__tool=instance)
        kwargs.setdefault(
            "initial", [{"reviewer": pk} for pk in missing.values_list("pk", flat=True)]
        )
        super().__init__(*args, instance=instance, **kwargs)


class ReviewOnToolInline(admin.StackedInline):
    """The panel's verdicts, filled in from the tool's own page."""

    model = Review
    formset = MissingPersonasFormSet
    fields = [("reviewer", "verdict"), "quote"]
    verbose_name = "panel verdict"
    verbose_name_plural = "panel verdicts"

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        """The persona is only picked here: no add, edit, delete or view
        icons beside it, which would open personas, not verdicts."""
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(field, "widget", None)
        if db_field.name == "reviewer" and isinstance(
            widget, RelatedFieldWidgetWrapper
        ):
            widget.can_add_related = widget.can_change_related = False
            widget.can_delete_related = widget.can_view_related = False
        return field

    def get_extra(self, request: HttpRequest, obj: Tool | None = None, **kwargs) -> int:
        """One empty form for each active persona still without a verdict."""
        active = Reviewer.objects.active()
        if obj is not None:
            active = active.exclude(reviews__tool=obj)
        return active.count()


class ReviewByPersonaInline(admin.StackedInline):
    model = Review
    fields = [("tool", "verdict"), "quote"]
    autocomplete_fields = ["tool"]
    extra = 0
    verbose_name = "verdict"
    verbose_name_plural = "verdicts"


@admin.display(description="panel ship")
def panel(tool: Tool) -> str:
    return str(panel_figure(tool))


plug_into_tool_admin(inline=ReviewOnToolInline, column=panel, annotate=with_panel)


@admin.register(Reviewer)
class ReviewerAdmin(RevisionAdmin):
    list_display = ["name", "lens", "seat", "active", "verdicts"]
    list_display_links = ["name"]
    list_editable = ["seat", "active"]
    list_filter = ["active"]
    search_fields = ["name", "lens"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "lens", "bio"]}),
        ("Avatar", {"fields": ["avatar", "avatar_alt", "avatar_preview"]}),
        ("On the panel", {"fields": ["seat", "active"]}),
    ]
    revision_fields = ["name", "slug", "lens", "bio", "avatar_alt", "seat", "active"]
    inlines = [ReviewByPersonaInline]
    readonly_fields = ["avatar_preview"]

    @admin.display(description="as readers see it")
    def avatar_preview(self, reviewer: Reviewer) -> SafeString:
        if reviewer.pk is None:
            return SafeString("<p>Shown after saving: the avatar, or the initials.</p>")
        return picture_preview(reviewer.avatar_picture, size=AVATAR_SIZE)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Reviewer]:
        return super().get_queryset(request).annotate(review_count=Count("reviews"))

    @admin.display(description="verdicts", ordering="review_count")
    def verdicts(self, reviewer: Reviewer) -> str:
        url = reverse("admin:reviewers_review_changelist")
        return format_html(
            '<a href="{}?reviewer__id__exact={}">{} verdict{}</a>',
            url,
            reviewer.pk,
            reviewer.review_count,
            "" if reviewer.review_count == 1 else "s",
        )


@admin.register(Review)
class ReviewAdmin(RevisionAdmin):
    list_display = ["tool", "reviewer", "verdict", "updated_at"]
    list_filter = ["verdict", "reviewer", "tool__category"]
    list_select_related = ["tool", "reviewer"]
    search_fields = ["tool__name", "reviewer__name", "quote"]
    autocomplete_fields = ["tool", "reviewer"]
    fields = ["reviewer", "tool", "verdict", "quote"]
    revision_fields = ["reviewer", "tool", "verdict", "quote"]
