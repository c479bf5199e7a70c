import calendar
import csv
import smtplib

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from editorial.admin import CHARACTER_COUNTS
from newsletter import emails
from newsletter.models import (
    Delivery,
    Issue,
    IssueComparison,
    Permission,
    Subscriber,
    SubscriberEvent,
)
from newsletter.services.dispatch import issue_dispatch, issue_retry_failed
from newsletter.services.issues import (
    IssueStateError,
    issue_assemble_now,
    issue_cancel,
    issue_send_test,
)
from newsletter.services.subscribers import (
    NEVER_MAILED,
    SuppressionError,
    normalise_email,
    subscriber_restore,
    subscriber_suppress,
)


class _Echo:
    def write(self, value: str) -> str:
        return value


#: How many history entries a subscriber's page shows, newest first.
HISTORY_SHOWN = 100
#: How many addresses an action's confirmation page names.
SUBSCRIBERS_LISTED = 20

#: What the buttons beside an issue's form are called: each submits the
#: form, so a test send or a send goes out with what the editor typed.
STEP_FIELD = "_issue_step"


def _slot_label(slot: tuple[int, int, int]) -> str:
    """(1, 10, 0) as "Tuesday 10:00"."""
    weekday, hour, minute = slot
    return f"{calendar.day_name[weekday]} {hour:02d}:{minute:02d}"


def _spreadsheet_cell(value: object) -> object:
    """A cell a spreadsheet shows as text: dates in ISO form, and a typed
    address that starts like a formula (`=`, `+`, `-`, `@`) kept from
    running as one."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class SubscriberEventInline(admin.TabularInline):
    """The subscriber's history, newest first; nobody edits it."""

    model = SubscriberEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "source", "detail", "actor"]
    readonly_fields = fields
    ordering = ["-created_at", "-pk"]
    verbose_name = "history entry"
    verbose_name_plural = f"history (the {HISTORY_SHOWN} newest entries)"
    classes = ["subscriber-history"]

    class Media:
        css = {"all": ["css/admin-subscriber-history.css"]}

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        # Whoever may see the subscriber sees their history.
        return request.user.has_perm("newsletter.view_subscriber")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        required=False,
        help_text="Kept in each address's history with your name, such as "
        "“Asked by phone to stop all email”.",
    )


class SuppressAddressForm(ReasonForm):
    email = forms.CharField(
        label="Email address",
        max_length=254,
        help_text="On the list or not: it will get no email of any kind, and "
        "a sign-up from it sends nothing.",
    )
    field_order = ["email", "reason"]

    def clean_email(self) -> str:
        try:
            return normalise_email(self.cleaned_data["email"])
        except ValidationError as error:
            raise ValidationError(
                "Enter an email address such as name@example.com."
            ) from error


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "source", "created_at", "confirmed_at"]
    list_filter = ["status", "source"]
    search_fields = ["email"]
    fields = [
        "email",
        "status",
        "source",
        "weekly_issue_covers",
        "followed_tools_list",
        "token",
        "bounce_count",
        "created_at",
        "requested_at",
        "confirmed_at",
        "unsubscribed_at",
        "alerted_at",
    ]
    readonly_fields = [
        "weekly_issue_covers",
        "followed_tools_list",
        "token",
        "bounce_count",
        "created_at",
        "requested_at",
        "confirmed_at",
        "unsubscribed_at",
        "alerted_at",
    ]
    inlines = [SubscriberEventInline]
    date_hierarchy = "created_at"
    actions = ["export_csv", "suppress", "lift_suppression"]
    show_full_result_count = False
    change_list_template = "newsletter/admin/subscriber_change_list.html"

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        # Once on the list, the status changes through the actions (and the
        # reader's own links), which cancel unsent email and keep history.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "status"] if obj is not None else fields

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, SubscriberEventInline) and obj is not None:
            newest = obj.events.order_by("-created_at", "-pk").values_list(
                "pk", flat=True
            )[:HISTORY_SHOWN]
            kwargs["queryset"] = (
                SubscriberEvent.objects.filter(pk__in=list(newest))
                .select_related("actor")
                .order_by("-created_at", "-pk")
            )
        return kwargs

    @admin.display(description="weekly issue covers")
    def weekly_issue_covers(self, subscriber: Subscriber) -> str:
        if subscriber.pk is None or subscriber.all_categories:
            return "Every category"
        names = [category.name for category in subscriber.categories.all()]
        return ", ".join(names) or "No category: the weekly issue is not sent"

    @admin.display(description="follows")
    def followed_tools_list(self, subscriber: Subscriber) -> SafeString:
        if subscriber.pk is None:
            return SafeString("")
        follows = subscriber.follows.select_related("tool").order_by("tool__name")
        items = format_html_join(
            ", ",
            '<a href="{}">{}</a> (since {})',
            (
                (
                    follow.tool.get_absolute_url(),
                    follow.tool.name,
                    date_format(follow.created_at, "j M Y"),
                )
                for follow in follows
            ),
        )
        return items or SafeString("No tool")

    @admin.action(description="Export the selected subscribers as CSV")
    def export_csv(
        self, request: HttpRequest, queryset: QuerySet[Subscriber]
    ) -> StreamingHttpResponse:
        writer = csv.writer(_Echo())
        header = ["email", "status", "source", "created_at", "confirmed_at"]

        def rows():
            yield writer.writerow(header)
            for row in queryset.order_by("pk").values_list(*header).iterator(2000):
                yield writer.writerow([_spreadsheet_cell(value) for value in row])

        response = StreamingHttpResponse(rows(), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="subscribers.csv"'
        return response

    def _reason_step(
        self,
        request: HttpRequest,
        queryset: QuerySet[Subscriber],
        *,
        action: str,
        title: str,
        explanation: str,
        button: str,
    ) -> tuple[str | None, TemplateResponse | None]:
        """The action's second page, asking for a reason: (reason, None) once
        it is answered, else (None, the page)."""
        if request.POST.get("_reason_given"):
            form = ReasonForm(request.POST)
            if form.is_valid():
                return form.cleaned_data["reason"], None
        else:
            form = ReasonForm()
        count = queryset.count()
        shown = list(queryset.order_by("email")[:SUBSCRIBERS_LISTED])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "explanation": explanation,
            "button": button,
            "action": action,
            "form": form,
            "count": count,
            "shown": shown,
            "more": count - len(shown),
            "selected": list(queryset.values_list("pk", flat=True)),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return None, TemplateResponse(
            request, "newsletter/admin/subscriber_reason.html", context
        )

    @admin.action(
        description="Suppress: stop all email to them…", permissions=["change"]
    )
    def suppress(
        self, request: HttpRequest, queryset: QuerySet[Subscriber]
    ) -> TemplateResponse | None:
        reason, page = self._reason_step(
            request,
            queryset,
            action="suppress",
            title="Suppress these addresses?",
            explanation="They get no weekly issue, alert or confirmation email "
            "again, including issues not yet sent to them, and signing up again "
            "sends them nothing. You can lift the suppression later.",
            button="Suppress them",
        )
        if page is not None:
            return page
        done = 0
        for subscriber in queryset:
            if subscriber.status != Subscriber.Status.SUPPRESSED:
                subscriber_suppress(
                    subscriber=subscriber, by=request.user, reason=reason
                )
                done += 1
        skipped = queryset.count() - done
        self.message_user(
            request,
            f"{done} address{pluralize(done, 'es')} suppressed: no email goes to "
            f"{pluralize(done, 'it,them')} any more."
            + (
                f" {skipped} {pluralize(skipped, 'was,were')} suppressed already."
                if skipped
                else ""
            ),
        )
        return None

    @admin.action(description="Lift suppression…", permissions=["change"])
    def lift_suppression(
        self, request: HttpRequest, queryset: QuerySet[Subscriber]
    ) -> TemplateResponse | None:
        stopped = queryset.filter(status__in=NEVER_MAILED)
        reason, page = self._reason_step(
            request,
            queryset,
            action="lift_suppression",
            title="Lift the suppression of these addresses?",
            explanation="An address that had confirmed its subscription gets "
            "the newsletter again; any other may sign up again, and gets "
            "nothing until it confirms. Addresses that are not suppressed are "
            "left as they are.",
            button="Lift the suppression",
        )
        if page is not None:
            return page
        lifted = []
        for subscriber in stopped:
            try:
                lifted.append(
                    subscriber_restore(
                        subscriber=subscriber, by=request.user, reason=reason
                    )
                )
            except SuppressionError as error:
                self.message_user(request, str(error), messages.WARNING)
        if not lifted:
            self.message_user(
                request,
                "None of the selected addresses was suppressed: nothing changed.",
                messages.WARNING,
            )
            return None
        active = sum(1 for s in lifted if s.status == Subscriber.Status.ACTIVE)
        self.message_user(
            request,
            f"Suppression lifted for {len(lifted)} address"
            f"{pluralize(len(lifted), 'es')}: {active} get the newsletter again, "
            f"{len(lifted) - active} may sign up again.",
        )
        return None

    def get_urls(self):
        return [
            path(
                "suppress/",
                self.admin_site.admin_view(self.suppress_address_view),
                name="newsletter_subscriber_suppress",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_suppress": self.has_change_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def suppress_address_view(self, request: HttpRequest) -> HttpResponse:
        """Stop an address by hand, whether it is on the list or not yet."""
        if not self.has_change_permission(request):
            raise PermissionDenied(
                "Suppressing an address needs the Newsletter editor role."
            )
        form = SuppressAddressForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            email = form.cleaned_data["email"]
            before = Subscriber.objects.with_email(email).first()
            try:
                subscriber = subscriber_suppress(
                    email=email, by=request.user, reason=form.cleaned_data["reason"]
                )
            except SuppressionError as error:
                form.add_error("email", str(error))
            else:
                if before is None:
                    text = (
                        f"{subscriber.email} was not on the list; it is now, as "
                        "suppressed: signing up sends it nothing."
                    )
                elif before.status == Subscriber.Status.SUPPRESSED:
                    text = f"{subscriber.email} was suppressed already."
                else:
                    text = (
                        f"{subscriber.email} is suppressed: no email of any kind "
                        "goes to it, including issues not yet sent."
                    )
                self.message_user(request, text)
                return redirect("admin:newsletter_subscriber_change", subscriber.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Suppress an address",
            "form": form,
        }
        return TemplateResponse(
            request, "newsletter/admin/suppress_address.html", context
        )


class IssueComparisonInline(admin.TabularInline):
    model = IssueComparison
    extra = 0
    autocomplete_fields = ["comparison"]
    fields = ["position", "comparison"]


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "send_at", "sent_at", "progress"]
    list_filter = ["status"]
    search_fields = ["subject"]
    inlines = [IssueComparisonInline]
    readonly_fields = [
        "week_label",
        "status",
        "progress",
        "email_preview",
        "dispatched_at",
        "sent_at",
    ]
    fieldsets = [
        (None, {"fields": ["week_label", "subject", "intro"]}),
        (
            "Sending",
            {"fields": ["status", "send_at", "progress", "dispatched_at", "sent_at"]},
        ),
        ("Preview", {"fields": ["email_preview"]}),
    ]
    change_form_template = "admin/newsletter/issue/change_form.html"

    @property
    def media(self):
        return super().media + CHARACTER_COUNTS

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Issues are assembled from a week's comparisons, not typed in.
        return False

    def save_model(self, request: HttpRequest, obj: Issue, form, change: bool) -> None:
        if change and request.POST.get(STEP_FIELD) and not form.has_changed():
            return  # a button pressed with nothing typed: only its step
        request._issue_saved = True
        # Until it goes out, the state follows the send time: with one the
        # issue is scheduled, without one it waits for "Send now".
        if obj.is_editable:
            obj.status = Issue.Status.SCHEDULED if obj.send_at else Issue.Status.DRAFT
        super().save_model(request, obj, form, change)

    def response_change(self, request: HttpRequest, obj: Issue) -> HttpResponse:
        """The buttons beside the form submit it: what was typed is saved
        first (a form with errors never gets here), then the step runs."""
        step = request.POST.get(STEP_FIELD, "")
        if not step:
            return super().response_change(request, obj)
        if getattr(request, "_issue_saved", False):
            self.message_user(request, "Your changes were saved.")
        issue = Issue.objects.get(pk=obj.pk)
        match step:
            case "send-test":
                self._send_test(request, issue)
            case "send-now":
                return redirect("admin:newsletter_issue_send_now", issue.pk)
            case "cancel":
                self._require_send(request)
                self._cancel(request, issue)
            case _:
                self.message_user(request, f"Unknown step “{step}”.", messages.ERROR)
        return self._back(issue)

    def has_change_permission(
        self, request: HttpRequest, obj: Issue | None = None
    ) -> bool:
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(
        self, request: HttpRequest, obj: Issue | None = None
    ) -> bool:
        if obj is not None and not obj.is_editable:
            return False
        return super().has_delete_permission(request, obj)

    def get_changelist_instance(self, request: HttpRequest):
        """Every listed issue's progress from one query, not one per row."""
        changelist = super().get_changelist_instance(request)
        issues = list(changelist.result_list)
        found = Delivery.objects.filter(
            issue__in=[issue for issue in issues if issue.has_gone_out]
        ).progress_by_issue()
        for issue in issues:
            issue.delivery_progress = found.get(issue.pk)
        return changelist

    @admin.display(description="progress")
    def progress(self, issue: Issue) -> SafeString:
        if issue.pk is None or not issue.has_gone_out:
            return SafeString("Not sent yet")
        progress = getattr(issue, "delivery_progress", None)
        if progress is None:
            progress = Delivery.objects.filter(issue=issue).progress()
        counts = progress.counts
        return format_html(
            '<progress class="issue-progress" max="{}" value="{}">{}%</progress> '
            "{} of {} settled: {} sent, {} pending, {} sending, {} failed, "
            "{} cancelled",
            progress.total or 1,
            progress.settled,
            progress.percent,
            progress.settled,
            progress.total,
            counts["sent"],
            counts["pending"],
            counts["sending"],
            counts["failed"],
            counts["cancelled"],
        )

    @admin.display(description="email as a subscriber sees it")
    def email_preview(self, issue: Issue) -> SafeString:
        if issue.pk is None:
            return SafeString("")
        return format_html(
            '<iframe src="{}" title="Preview of the email" '
            'style="width:100%;max-width:680px;height:720px;border:1px solid #ccc">'
            "</iframe>",
            reverse("admin:newsletter_issue_preview", args=[issue.pk]),
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        pages = [
            ("preview", self.preview_view),
            ("send-test", self.send_test_view),
            ("send-now", self.send_now_view),
            ("retry-failed", self.retry_failed_view),
            ("cancel", self.cancel_view),
        ]
        assemble = path(
            "assemble-next/",
            view(self.assemble_next_view),
            name="newsletter_issue_assemble_next",
        )
        return [
            *(
                path(
                    f"<int:pk>/{slug}/",
                    view(page),
                    name=f"newsletter_issue_{slug.replace('-', '_')}",
                )
                for slug, page in pages
            ),
            assemble,
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_send": request.user.has_perm(Permission.SEND_ISSUE),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "assembles_at": _slot_label(settings.NEWSLETTER_ASSEMBLE_AT),
            "sends_at": _slot_label(settings.NEWSLETTER_SEND_AT),
            "can_assemble": self.has_change_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def assemble_next_view(self, request: HttpRequest) -> HttpResponse:
        """This week's issue so far, as a draft to preview and test."""
        if not self.has_change_permission(request):
            raise PermissionDenied(
                "Assembling an issue needs the Newsletter editor role."
            )
        if request.method != "POST":
            return redirect("admin:newsletter_issue_changelist")
        issue = issue_assemble_now()
        if issue is None:
            self.message_user(
                request,
                "Nothing has been published this week yet, so there is no issue "
                "to assemble. Publish a comparison, then try again.",
                messages.WARNING,
            )
            return redirect("admin:newsletter_issue_changelist")
        self.message_user(
            request,
            f"This is the next issue, {issue.week_label}, with what has been "
            "published so far. The preview below shows the email; “Send a test "
            "to me” sends it to you alone. Nothing goes to subscribers before "
            "its send time, which beat sets when the week is over.",
        )
        return self._back(issue)

    def _issue(self, request: HttpRequest, pk: int) -> Issue:
        issue = get_object_or_404(Issue, pk=pk)
        if not self.has_view_permission(request, issue):
            raise PermissionDenied
        return issue

    def _require_send(self, request: HttpRequest) -> None:
        if not request.user.has_perm(Permission.SEND_ISSUE):
            raise PermissionDenied("Only newsletter editors can send issues.")

    def _back(self, issue: Issue) -> HttpResponse:
        return redirect("admin:newsletter_issue_change", issue.pk)

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        issue = self._issue(request, pk)
        rendered = emails.render_issue(issue)
        html, _ = rendered.personalise(
            email=request.user.email or "reader@example.com",
            unsubscribe_url="#unsubscribe-link",
        )
        response = HttpResponse(html)
        response["X-Frame-Options"] = "SAMEORIGIN"
        response["Content-Security-Policy"] = "script-src 'none'"
        return response

    def send_test_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        issue = self._issue(request, pk)
        if request.method == "POST":
            self._send_test(request, issue)
        return self._back(issue)

    def _send_test(self, request: HttpRequest, issue: Issue) -> None:
        if not request.user.email:
            self.message_user(
                request,
                "Your account has no email address; add one to your user to "
                "get test emails.",
                messages.ERROR,
            )
            return
        try:
            issue_send_test(issue=issue, to=request.user.email)
        except (smtplib.SMTPException, OSError) as error:
            self.message_user(
                request,
                f"The test copy could not be sent: {error}. Nothing went to "
                "subscribers; try again once the mail server answers.",
                messages.ERROR,
            )
        else:
            self.message_user(request, f"A test copy went to {request.user.email}.")

    def send_now_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        issue = self._issue(request, pk)
        self._require_send(request)
        if request.method == "POST":
            try:
                dispatched = issue_dispatch(issue_id=issue.pk, by=request.user)
            except IssueStateError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self._report_dispatch(request, issue, dispatched)
            return self._back(issue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "issue": issue,
            "audience": Subscriber.objects.active().count(),
            "title": f"Send “{issue.subject}” now?",
        }
        return TemplateResponse(
            request, "admin/newsletter/issue/send_now.html", context
        )

    def _report_dispatch(
        self, request: HttpRequest, issue: Issue, dispatched: bool
    ) -> None:
        if dispatched:
            self.message_user(
                request, "The issue is going out now; the progress bar shows how far."
            )
        else:
            self.message_user(
                request,
                f"Nothing was sent again: this issue is already "
                f"{issue.get_status_display().lower()}.",
                messages.WARNING,
            )

    def retry_failed_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        issue = self._issue(request, pk)
        self._require_send(request)
        if request.method == "POST":
            count = issue_retry_failed(issue=issue)
            if count:
                self.message_user(
                    request,
                    f"{count} failed email{pluralize(count)} will be tried again.",
                )
            else:
                self.message_user(
                    request,
                    "No failed email to an active subscriber: nothing to retry.",
                    messages.WARNING,
                )
        return self._back(issue)

    def cancel_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        issue = self._issue(request, pk)
        self._require_send(request)
        if request.method == "POST":
            self._cancel(request, issue)
        return self._back(issue)

    def _cancel(self, request: HttpRequest, issue: Issue) -> None:
        try:
            issue_cancel(issue=issue)
        except IssueStateError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, "The issue is cancelled and will not go out.")
