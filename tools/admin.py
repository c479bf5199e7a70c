from django.contrib import admin
from django.db import models

from tools.models import Category, Tool


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
        ("Logo", {"fields": ["logo", "logo_alt"]}),
    ]
