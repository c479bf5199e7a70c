"""Admin pieces every content app uses: audit log, edit guard, revisions."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from reversion.admin import VersionAdmin
from reversion.models import Version

from editorial.forms import EditGuardForm
from editorial.models import Action, AuditEntry
from editorial.revisions import (
    diff,
    display_value,
    instance_at,
    revision_author,
    revision_by,
    versions_of,
)
from editorial.services import audit_record


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: nobody edits or deletes the record of what happened."""

    list_display = ["at", "actor_name", "action", "content_type", "object_repr"]
    list_filter = [
        "action",
        ("actor", admin.RelatedOnlyFieldListFilter),
        ("content_type", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["object_repr", "actor_name", "detail", "object_id"]
    date_hierarchy = "at"
    list_select_related = ["content_type"]
    fields = [
        "at",
        "actor_name",
        "actor",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "detail",
    ]
    readonly_fields = fields

    def lookup_allowed(self, lookup: str, value: str, request=None) -> bool:
        # "This object's history" links filter by the object's id.
        return lookup == "object_id" or super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


#: A live character count under each length-limited field of a form.
CHARACTER_COUNTS = forms.Media(
    js=["js/admin-counts.js"], css={"all": ["css/admin-forms.css"]}
)


class AuditedAdminMixin:
    """Writes an audit entry for every add, edit and delete in the admin."""

    form = EditGuardForm

    @property
    def media(self) -> forms.Media:
        return super().media + CHARACTER_COUNTS

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        guarded = "edit_token" in getattr(self.form, "declared_fields", {})
        if obj is None or not guarded or not self.has_change_permission(request, obj):
            return fieldsets
        (name, options), *rest = fieldsets
        first = (name, {**options, "fields": [*options["fields"], "edit_token"]})
        return [first, *rest]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            action=Action.EDITED if change else Action.CREATED,
            actor=request.user,
            obj=obj,
            detail=changed_fields_detail(form),
        )

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            audit_record(action=Action.CREATED, actor=request.user, obj=obj)
        for obj, fields in formset.changed_objects:
            audit_record(
                action=Action.EDITED,
                actor=request.user,
                obj=obj,
                detail="Changed " + ", ".join(fields),
            )
        for obj in formset.deleted_objects:
            audit_record(
                action=Action.DELETED,
                actor=request.user,
                obj=obj,
                object_repr=str(obj),
            )

    def delete_model(self, request, obj) -> None:
        with transaction.atomic():
            audit_record(action=Action.DELETED, actor=request.user, obj=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit_record(action=Action.DELETED, actor=request.user, obj=obj)
            super().delete_queryset(request, queryset)


def changed_fields_detail(form: forms.ModelForm) -> str:
    """“Changed Standfirst, Bottom line” for the audit entry of a save."""
    changed = [
        str(form.fields[name].label or name)
        for name in form.changed_data
        if name != "edit_token"
    ]
    return "Changed " + ", ".join(changed) if changed else ""


class RevisionAdmin(AuditedAdminMixin, VersionAdmin):
    """Revision history with a field-by-field diff and a confirmed restore.

    django-reversion keeps a revision (author, time, serialised row) on
    every save made through the admin or a service. Its own revert and
    recover screens write the old row straight back; they are replaced here
    by a restore that each admin defines (a comparison comes back as a new
    draft) and that asks for confirmation first.
    """

    object_history_template = "admin/editorial/revision_history.html"
    change_list_template = None
    revision_fields: list[str] = []

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/history/compare/",
                wrap(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                wrap(self.restore_view),
                name="{}_{}_restore".format(*info),
            ),
            *admin.ModelAdmin.get_urls(self),
        ]

    # Hooks the content admins override.

    def revision_values(self, instance: models.Model) -> dict[str, str]:
        """Displayed values of one revision, keyed by label."""
        return {
            str(instance._meta.get_field(name).verbose_name).capitalize(): (
                display_value(instance, name)
            )
            for name in self.revision_fields
        }

    def has_restore_permission(self, request: HttpRequest, obj) -> bool:
        return self.has_change_permission(request, obj)

    def restore_refusal(self, request: HttpRequest, obj) -> str:
        return "You do not have permission to restore revisions of this object."

    def restore_revision(self, request: HttpRequest, obj, version: Version) -> str:
        """Write the revision's values back as a new save; returns a message.

        The values are checked as a form would check them first, so a
        revision naming a tool or persona deleted since, or clashing with
        another row, is refused with the reason instead of failing.
        """
        old = instance_at(version)
        for name in self.revision_fields:
            field = obj._meta.get_field(name)
            setattr(obj, field.attname, getattr(old, field.attname))
        # Stored files were checked when they were uploaded.
        files = [f.name for f in obj._meta.fields if isinstance(f, models.FileField)]
        try:
            obj.full_clean(exclude=files)
        except ValidationError as error:
            raise RestoreRefused(
                "This revision cannot be restored as it is: "
                + " ".join(_error_messages(error, obj._meta))
            ) from error
        with (
            transaction.atomic(),
            revision_by(request.user, f"Restored the revision of {_when(version)}"),
        ):
            obj.save()
            audit_record(
                action=Action.RESTORED,
                actor=request.user,
                obj=obj,
                detail=f"Restored the revision of {_when(version)}",
            )
        return f"Restored the revision of {_when(version)}."

    restore_confirm_note = (
        "Its values replace the current ones and are saved as a new revision; "
        "the current version stays in the history."
    )

    # Views.

    def _get_object_or_denied(self, request: HttpRequest, object_id: str):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with this id.")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied(
                f"Reading the revisions of a {self.opts.verbose_name} needs a "
                "role that may see it (Contributor or Editor)."
            )
        return obj

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        obj = self._get_object_or_denied(request, object_id)
        info = self.opts.app_label, self.opts.model_name
        versions = list(versions_of(obj))
        rows = [
            {
                "version": version,
                "who": revision_author(version.revision),
                "when": version.revision.date_created,
                "comment": version.revision.get_comment(),
                "restore_url": reverse(
                    f"admin:{info[0]}_{info[1]}_restore",
                    args=[quote(obj.pk), version.pk],
                ),
            }
            for version in versions
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": obj,
            "title": f"Revisions of {obj}",
            "subtitle": None,
            "rows": rows,
            "can_restore": self.has_restore_permission(request, obj),
            "compare_url": reverse(
                f"admin:{info[0]}_{info[1]}_compare", args=[quote(obj.pk)]
            ),
            "audit_url": audit_log_url(obj),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.object_history_template, context)

    def compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self._get_object_or_denied(request, object_id)
        versions = versions_of(obj)
        older = get_object_or_404(versions, pk=row_id(request.GET.get("from")))
        newer = get_object_or_404(versions, pk=row_id(request.GET.get("to")))
        if older.revision.date_created > newer.revision.date_created:
            older, newer = newer, older
        changes = diff(
            self.revision_values(instance_at(older)),
            self.revision_values(instance_at(newer)),
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": obj,
            "title": f"What changed in {obj}",
            "subtitle": None,
            "older": older,
            "newer": newer,
            "older_who": revision_author(older.revision),
            "newer_who": revision_author(newer.revision),
            "changes": changes,
            "changed_count": sum(change.changed for change in changes),
        }
        return TemplateResponse(
            request, "admin/editorial/revision_compare.html", context
        )

    def restore_view(
        self, request: HttpRequest, object_id: str, version_id: int
    ) -> HttpResponse:
        obj = self._get_object_or_denied(request, object_id)
        version = get_object_or_404(versions_of(obj), pk=version_id)
        history_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_history",
            args=[quote(obj.pk)],
        )
        if not self.has_restore_permission(request, obj):
            self.message_user(
                request, self.restore_refusal(request, obj), messages.ERROR
            )
            return HttpResponseRedirect(history_url)
        if request.method == "POST":
            try:
                message = self.restore_revision(request, obj, version)
            except RestoreRefused as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
                return HttpResponseRedirect(history_url)
            self.message_user(request, message, messages.SUCCESS)
            return HttpResponseRedirect(
                reverse(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                    args=[quote(obj.pk)],
                )
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": obj,
            "title": "Restore this revision?",
            "subtitle": None,
            "version": version,
            "who": revision_author(version.revision),
            "values": self.revision_values(instance_at(version)),
            "note": self.restore_confirm_note,
            "history_url": history_url,
        }
        return TemplateResponse(
            request, "admin/editorial/revision_restore_confirm.html", context
        )

    # reversion's own revert and recover screens are not offered.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        raise PermissionDenied

    def recover_view(self, request, version_id, extra_context=None):
        raise PermissionDenied

    def recoverlist_view(self, request, extra_context=None):
        raise PermissionDenied


class RestoreRefused(Exception):
    """A revision that cannot come back, with the reason in words."""


def _error_messages(error: ValidationError, opts) -> list[str]:
    """Each problem, named by the field's label as the form shows it."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    return [
        message
        if name == NON_FIELD_ERRORS
        else f"{str(opts.get_field(name).verbose_name).capitalize()}: {message}"
        for name, problems in error.message_dict.items()
        for message in problems
    ]


def row_id(raw: str | None) -> int:
    """A row id sent by a form or link; a tampered one finds nothing."""
    return int(raw) if raw and raw.isascii() and raw.isdigit() else 0


def _when(version: Version) -> str:
    return date_format(timezone.localtime(version.revision.date_created), "j F Y, H:i")


def audit_log_url(obj: models.Model) -> str:
    """The audit log, filtered to this object's entries."""
    query = urlencode(
        {
            "content_type__id__exact": ContentType.objects.get_for_model(obj).pk,
            "object_id": obj.pk,
        }
    )
    return f"{reverse('admin:editorial_auditentry_changelist')}?{query}"
