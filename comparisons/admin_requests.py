"""The pairs readers asked for, most asked first, with a way to write one."""

from django.contrib import admin
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.timezone import localtime

from comparisons.models import Comparison, RequestedPair


class CompareStateFilter(admin.SimpleListFilter):
    title = "written"
    parameter_name = "written"

    def lookups(self, request, model_admin):
        return [("no", "Not written yet"), ("yes", "Written")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(comparison_id__isnull=True)
        if self.value() == "yes":
            return queryset.filter(comparison_id__isnull=False)
        return queryset


@admin.register(RequestedPair)
class RequestedPairAdmin(admin.ModelAdmin):
    list_display = ["pair", "asks", "first_asked", "last_asked", "next_step"]
    list_filter = [CompareStateFilter]
    list_select_related = ["left", "right"]
    search_fields = ["left__name", "right__name"]
    readonly_fields = ["left", "right", "requests", "first_asked_at", "last_asked_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RequestedPair]:
        compared = Comparison.objects.filter(
            Q(left=OuterRef("left"), right=OuterRef("right"))
            | Q(left=OuterRef("right"), right=OuterRef("left"))
        )
        return (
            super()
            .get_queryset(request)
            .annotate(comparison_id=Subquery(compared.values("pk")[:1]))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="pair", ordering="left__name")
    def pair(self, obj: RequestedPair) -> str:
        return str(obj)

    @admin.display(description="readers", ordering="requests")
    def asks(self, obj: RequestedPair) -> int:
        return obj.requests

    @admin.display(description="first asked", ordering="first_asked_at")
    def first_asked(self, obj: RequestedPair) -> str:
        return date_format(localtime(obj.first_asked_at))

    @admin.display(description="last asked", ordering="last_asked_at")
    def last_asked(self, obj: RequestedPair) -> str:
        return date_format(localtime(obj.last_asked_at))

    @admin.display(description="")
    def next_step(self, obj: RequestedPair) -> str:
        if obj.comparison_id:
            return format_html(
                '<a href="{}">Written: open the comparison</a>',
                reverse(
                    "admin:comparisons_comparison_change", args=[obj.comparison_id]
                ),
            )
        add = reverse("admin:comparisons_comparison_add")
        query = urlencode({"left": obj.left_id, "right": obj.right_id})
        return format_html('<a href="{}?{}">Write this comparison</a>', add, query)
