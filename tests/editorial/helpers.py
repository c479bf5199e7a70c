"""Driving the comparison admin the way an editor's browser does."""

from django.test import Client
from django.urls import reverse

from comparisons.models import Comparison


def change_url(comparison: Comparison) -> str:
    return reverse("admin:comparisons_comparison_change", args=[comparison.pk])


def workflow_url(comparison: Comparison, step: str) -> str:
    return reverse("admin:comparisons_comparison_workflow", args=[comparison.pk, step])


def opened_form(client: Client, comparison: Comparison) -> dict[str, str]:
    """The change form's values as the page shows them when opened."""
    response = client.get(change_url(comparison))
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if name in form.initial or value is not None:
            data[name] = "" if value is None else str(value)
        del field
    return data


def save_form(client: Client, comparison: Comparison, **changes: str):
    data = {**opened_form(client, comparison), **changes}
    return client.post(change_url(comparison), data, follow=True)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def tool_form(client: Client, url: str) -> dict[str, str]:
    """A tool's change form as opened, with no panel verdicts posted."""
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    return {
        **data,
        "logo": "",
        "reviews-TOTAL_FORMS": "0",
        "reviews-INITIAL_FORMS": "0",
        "reviews-MIN_NUM_FORMS": "0",
        "reviews-MAX_NUM_FORMS": "1000",
    }


def admin_form_data(client: Client, url: str) -> dict[str, str]:
    """Everything an admin change form posts when saved as opened: its
    fields and each inline formset's management form and rows."""
    context = client.get(url).context
    form = context["adminform"].form
    data = {}

    def take(bound_form) -> None:
        for name in bound_form.fields:
            value = bound_form[name].value()
            if value is None or value is False:
                continue
            key = bound_form.add_prefix(name)
            data[key] = "on" if value is True else str(value)

    take(form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        take(formset.management_form)
        for row in formset.forms:
            take(row)
    return data
