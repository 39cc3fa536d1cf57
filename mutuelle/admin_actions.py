"""Intermediate page of admin actions that need a message (complement, refusal, return)."""

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
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


def text_form(*, field: str, label: str) -> type[forms.Form]:
    """The form of an action that needs one text (a message, a refusal reason)."""
    widget = forms.Textarea(attrs={"rows": 4, "cols": 80})
    return type(
        "ActionTextForm",
        (forms.Form,),
        {field: forms.CharField(label=label, widget=widget, max_length=2000)},
    )


def apply_to_rows(
    modeladmin, request, rows, operation, *, describe, expected: tuple, **kwargs
) -> int:
    """Run ``operation(row, by=…, **kwargs)`` on each row; rows whose state refuses it
    (``expected`` exceptions) are listed in one warning, the others counted in one
    success message."""
    done, failed = 0, []
    for row in rows:
        try:
            operation(row, by=request.user, **kwargs)
            done += 1
        except expected:
            failed.append(describe(row))
    if done:
        modeladmin.message_user(request, f"{done} demande(s) traitée(s).", messages.SUCCESS)
    if failed:
        modeladmin.message_user(
            request,
            "Action impossible pour ces demandes dans leur état actuel : " + ", ".join(failed),
            messages.WARNING,
        )
    return done


def apply_with_text_form(
    modeladmin, request, queryset, operation, *, form_class, title, describe, expected: tuple
):
    """An action asking for one text first: the intermediate page, then
    :func:`apply_to_rows` with that text as the keyword argument of the form's field."""
    if not modeladmin.has_change_permission(request):
        raise PermissionDenied
    form = form_class(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        apply_to_rows(
            modeladmin,
            request,
            queryset,
            operation,
            describe=describe,
            expected=expected,
            **form.cleaned_data,
        )
        return HttpResponseRedirect(request.get_full_path())
    return action_form_response(
        modeladmin,
        request,
        queryset,
        form=form,
        title=title,
        items=[describe(row) for row in queryset],
    )
