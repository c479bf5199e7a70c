from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from reversion.models import Version

from comparisons import admin_requests  # noqa: F401  (registers its admin)
from comparisons.forms import ScheduleForm
from comparisons.models import (
    PENDING_FIELDS,
    Comparison,
    ComparisonQuerySet,
    PreviewLink,
)
from comparisons.services import (
    comparison_publish,
    comparison_restore,
    comparison_save_edit,
    comparison_schedule,
    comparison_submit,
    comparison_unpublish,
    comparison_unschedule,
    preview_link_create,
    preview_link_revoke,
)
from comparisons.workflow import (
    META_DESCRIPTION_LIMIT,
    Permission,
    WorkflowRefused,
    can,
    comparison_publish_check,
)
from editorial.admin import (
    RevisionAdmin,
    audit_log_url,
    changed_fields_detail,
    row_id,
)
from editorial.forms import EditGuardForm
from editorial.models import Action
from editorial.services import audit_record
from reviewers.panel import scorecard_for

#: What the workflow buttons beside the change form are called: each one
#: submits the form, so the step acts on what the editor typed.
STEP_FIELD = "_workflow"


def _step_asked(request: HttpRequest) -> str:
    return request.POST.get(STEP_FIELD, "") if request.method == "POST" else ""


class ComparisonAdminForm(EditGuardForm):
    """Opens a published comparison with its unpublished changes, if any."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "standfirst" in self.fields:
            # The page's meta description: what search results show of it.
            self.fields["standfirst"].widget.attrs["data-recommended"] = str(
                META_DESCRIPTION_LIMIT
            )
        for name, value in (self.instance.pending_changes or {}).items():
            if name in PENDING_FIELDS and name in self.fields:
                self.initial[name] = value


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Comparison.State.choices

    def queryset(self, request, queryset: ComparisonQuerySet):
        if self.value() in Comparison.State.values:
            return queryset.in_state(self.value())
        return queryset


@admin.register(Comparison)
class ComparisonAdmin(RevisionAdmin):
    form = ComparisonAdminForm
    # The change form links to the page itself, named for its state.
    view_on_site = False
    change_form_template = "admin/comparisons/comparison/change_form.html"
    list_display = [
        "title",
        "status_label",
        "published_at",
        "author",
        "updated_at",
    ]
    list_filter = [StatusFilter, "author", "left__category"]
    list_select_related = ["left", "right", "author"]
    search_fields = ["left__name", "right__name", "slug"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["left", "right"]
    readonly_fields = [
        "status_label",
        "slug",
        "scorecard_preview",
        "published_at",
        "scheduled_at",
        "expires_at",
        "review_requested_at",
        "review_requested_by",
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
                    "published_at",
                    ("scheduled_at", "expires_at"),
                    ("review_requested_at", "review_requested_by"),
                    "author",
                    ("created_at", "updated_at"),
                ]
            },
        ),
    ]
    actions = ["publish", "unpublish"]
    revision_fields = [
        "left",
        "right",
        "standfirst",
        "bottom_line",
        "status",
        "published_at",
        "scheduled_at",
        "expires_at",
    ]
    restore_confirm_note = (
        "Its text comes back as a new draft: on a published comparison "
        "readers keep seeing the published text until an editor publishes "
        "the draft. Nothing is lost; the current version stays in the history."
    )

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

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        """The pair is the address: once published it stays."""
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.published_at is not None:
            fields += ["left", "right"]
        return fields

    # Permissions of the workflow, for actions and buttons.

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Permission.PUBLISH)

    def has_restore_permission(self, request: HttpRequest, obj=None) -> bool:
        return can(request.user, Permission.RESTORE)

    def restore_refusal(self, request: HttpRequest, obj) -> str:
        return (
            "You cannot restore a revision: restoring a revision needs the Editor role."
        )

    # Saving: edits to a published comparison become its pending changes.

    def save_model(self, request: HttpRequest, obj: Comparison, form, change):
        if change and _step_asked(request) and not form.has_changed():
            # A workflow button pressed with nothing typed: only the step.
            return
        request._comparison_saved = True
        was_scheduled = obj.scheduled_at is not None
        comparison_save_edit(comparison=obj, by=request.user, created=not change)
        if was_scheduled and obj.scheduled_at is None:
            self.message_user(
                request,
                "It was scheduled: your change cancelled the schedule and sent "
                "it back to review, so an editor sees it before it goes out.",
                messages.WARNING,
            )
        detail = changed_fields_detail(form)
        if obj.keeps_changes_pending and obj.has_pending_changes:
            detail = f"{detail} (unpublished changes)".strip()
        audit_record(
            action=Action.EDITED if change else Action.CREATED,
            actor=request.user,
            obj=obj,
            detail=detail,
        )

    def add_view(self, request, form_url="", extra_context=None):
        context = {
            **(extra_context or {}),
            "can_publish": can(request.user, Permission.PUBLISH),
        }
        return super().add_view(request, form_url, context)

    def response_add(self, request: HttpRequest, obj: Comparison, post_url=None):
        step = _step_asked(request)
        if step:
            return self._step_after_save(request, obj, step)
        return super().response_add(request, obj, post_url)

    def response_change(self, request: HttpRequest, obj: Comparison):
        step = _step_asked(request)
        if step:
            return self._step_after_save(request, obj, step)
        if obj.keeps_changes_pending and obj.has_pending_changes:
            self.message_user(
                request,
                "Saved as unpublished changes: readers still see the "
                "published version until an editor publishes them.",
                messages.INFO,
            )
        return super().response_change(request, obj)

    def revision_values(self, instance: Comparison) -> dict[str, str]:
        values = super().revision_values(instance)
        pending = instance.pending_changes or {}
        for name in PENDING_FIELDS:
            label = str(Comparison._meta.get_field(name).verbose_name).capitalize()
            values[f"{label} (unpublished change)"] = pending.get(name, "")
        return values

    def restore_revision(
        self, request: HttpRequest, obj: Comparison, version: Version
    ) -> str:
        comparison_restore(comparison=obj, by=request.user, version=version)
        if obj.has_pending_changes:
            return (
                "The revision's text is back as unpublished changes; readers "
                "still see the published version."
            )
        if obj.keeps_changes_pending:
            return (
                "The revision's text is the published text, so there are no "
                "unpublished changes any more."
            )
        return "The revision's text is back in the draft."

    # Bulk actions.

    @admin.action(
        description="Publish the selected comparisons", permissions=["publish"]
    )
    def publish(self, request: HttpRequest, queryset: QuerySet[Comparison]) -> None:
        done = self._each(request, queryset, comparison_publish)
        if done:
            self.message_user(
                request,
                f"Published {done} comparison{'s' if done != 1 else ''}.",
                messages.SUCCESS,
            )

    @admin.action(
        description="Unpublish the selected comparisons", permissions=["publish"]
    )
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Comparison]) -> None:
        done = self._each(request, queryset, comparison_unpublish)
        if done:
            self.message_user(
                request,
                f"Unpublished {done} comparison{'s' if done != 1 else ''}; "
                "readers no longer see them.",
                messages.SUCCESS,
            )

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Comparison],
        service: Callable[..., Comparison],
    ) -> int:
        """Run a workflow service on each selected comparison; a refusal is
        reported with its reasons and the others go ahead. Returns how many
        went through."""
        done = 0
        for comparison in queryset.select_related("left", "right"):
            try:
                service(comparison=comparison, by=request.user)
            except WorkflowRefused as refusal:
                self._refused(request, refusal)
            else:
                done += 1
        return done

    def _refused(self, request: HttpRequest, refusal: WorkflowRefused) -> None:
        if refusal.reasons:
            message = format_html(
                "{} <ul>{}</ul>",
                refusal.message,
                format_html_join("", "<li>{}</li>", ((r,) for r in refusal.reasons)),
            )
        else:
            message = refusal.message
        self.message_user(request, message, messages.ERROR)

    # The workflow panel on the change page.

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/workflow/<slug:step>/",
                self.admin_site.admin_view(self.workflow_view),
                name="{}_{}_workflow".format(*info),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        comparison = self.get_object(request, unquote(object_id))
        context: dict[str, Any] = dict(extra_context or {})
        if comparison is not None:
            user = request.user
            links = list(comparison.preview_links.select_related("created_by")[:20])
            context.update(
                {
                    "workflow_check": comparison_publish_check(comparison=comparison),
                    "workflow_label": comparison.status_label,
                    "can_submit": can(user, Permission.SUBMIT),
                    "can_publish": can(user, Permission.PUBLISH),
                    "can_share": can(user, Permission.CHANGE),
                    "preview_url": comparison.get_absolute_url()
                    + ("?preview=draft" if comparison.has_pending_changes else ""),
                    "preview_links": [
                        (link, request.build_absolute_uri(link.get_absolute_url()))
                        for link in links
                    ],
                    "now_local": timezone.localtime(),
                    "audit_url": audit_log_url(comparison),
                }
            )
        return super().change_view(request, object_id, form_url, context)

    def workflow_view(
        self, request: HttpRequest, object_id: str, step: str
    ) -> HttpResponse:
        comparison = self.get_object(request, unquote(object_id))
        if comparison is None:
            raise Http404("No comparison with this id.")
        if not self.has_view_or_change_permission(request, comparison):
            raise PermissionDenied(
                "The workflow of a comparison needs the Contributor or Editor role."
            )
        change_url = reverse(
            "admin:comparisons_comparison_change", args=[quote(comparison.pk)]
        )
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        user = request.user
        try:
            message = self._run_step(request, comparison, step, user)
        except WorkflowRefused as refusal:
            self._refused(request, refusal)
        else:
            self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    def _step_after_save(
        self, request: HttpRequest, obj: Comparison, step: str
    ) -> HttpResponse:
        """A workflow button submits the change form: what was typed is
        saved first (a form with errors never gets here, and keeps its
        input), then the step is taken on the saved comparison."""
        comparison = Comparison.objects.select_related("left", "right").get(pk=obj.pk)
        saved = getattr(request, "_comparison_saved", False)
        try:
            message = self._run_step(request, comparison, step, request.user)
        except WorkflowRefused as refusal:
            if saved:
                self.message_user(request, "Your changes were saved.", messages.SUCCESS)
            self._refused(request, refusal)
        else:
            if saved:
                message = format_html("Your changes were saved. {}", message)
            self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:comparisons_comparison_change", args=[quote(obj.pk)])
        )

    def _run_step(
        self, request: HttpRequest, comparison: Comparison, step: str, user
    ) -> str | SafeString:
        step, _, link_id = step.partition(":")
        match step:
            case "submit":
                comparison_submit(comparison=comparison, by=user)
                return "Submitted for review: an editor can now publish or schedule it."
            case "publish":
                comparison_publish(comparison=comparison, by=user)
                return "Published: readers see it now."
            case "schedule":
                form = ScheduleForm(request.POST)
                if not form.is_valid():
                    raise WorkflowRefused(" ".join(form.problems))
                comparison_schedule(
                    comparison=comparison,
                    by=user,
                    publish_at=form.cleaned_data["publish_at"],
                    expires_at=form.cleaned_data["expires_at"],
                )
                return f"Scheduled: {comparison.status_label}."
            case "unschedule":
                comparison_unschedule(comparison=comparison, by=user)
                return "Schedule cancelled."
            case "unpublish":
                comparison_unpublish(comparison=comparison, by=user)
                return "Unpublished: readers no longer see it."
            case "preview-link":
                link = preview_link_create(comparison=comparison, by=user)
                url = request.build_absolute_uri(link.get_absolute_url())
                return format_html(
                    "Preview link created, valid for 7 days: <a href='{}'>{}</a>",
                    url,
                    url,
                )
            case "revoke-link":
                link = PreviewLink.objects.filter(
                    comparison=comparison,
                    pk=row_id(link_id or request.POST.get("link")),
                ).first()
                if link is None:
                    raise WorkflowRefused("That preview link does not exist.")
                preview_link_revoke(link=link, by=user)
                return "Preview link revoked: it now leads to “not found”."
        raise WorkflowRefused(f"Unknown step “{step}”.")
