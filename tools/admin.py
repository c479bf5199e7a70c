from django.contrib import admin
from django.db import models
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from tools.images import Picture
from tools.models import LOGO_SIZE, Category, Tool


def picture_preview(picture: Picture | None, *, size: int) -> SafeString:
    """What readers see, for the editor: the rendition, or why it is missing."""
    if picture is None:
        return SafeString(
            "<p>Being drawn after saving; reload this page in a moment.</p>"
        )
    return render_to_string(
        "includes/picture.html",
        {"picture": picture, "size": size, "initials": "", "css_class": ""},
    )


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "tool_count"]
    list_per_page = 50
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    @admin.display(description="tools")
    def tool_count(self, category: Category) -> int:
        return category.tools.count()


@admin.register(Tool)
class ToolAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "pricing_tier", "updated_at"]
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
    ]
    readonly_fields = ["logo_preview"]

    @admin.display(description="as readers see it")
    def logo_preview(self, tool: Tool) -> SafeString:
        if tool.pk is None:
            return SafeString("<p>Shown after saving: the logo, or the initials.</p>")
        return picture_preview(tool.logo_picture, size=LOGO_SIZE)
