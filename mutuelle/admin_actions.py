"""Intermediate page of admin actions that need a message (complement, refusal, return)."""

from django.contrib.admin import helpers
from django.template.response import TemplateResponse


def action_form_response(
    modeladmin, request, queryset, *, form, title, items, intro="", submit_label=""
) -> TemplateResponse:
    """Render the form of an admin action; ``items`` are the French labels of the
    selected objects, re-posted with the form so the action applies to the same rows."""
    return TemplateResponse(
        request,
        "admin/action_form.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "submit_label": submit_label or title,
            "opts": modeladmin.model._meta,
            "form": form,
            "items": items,
            "selected_ids": [obj.pk for obj in queryset],
            "action": request.POST.get("action"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        },
    )
