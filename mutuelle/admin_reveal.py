"""Back-office display of a NIR or an IBAN: masked, with an explicit « Afficher en
entier » action that writes who read whose data, and when, to the access log
(``SensitiveDataAccess``, readable by superusers)."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from .models import SensitiveDataAccess


def reveal_url(obj, field: str) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_reveal", args=[obj.pk, field])


def masked_with_reveal(obj, field: str, masked: str):
    if not masked:
        return "—"
    return format_html(
        '{} <a href="{}" class="button">Afficher en entier</a>', masked, reveal_url(obj, field)
    )


class SensitiveRevealMixin:
    """``sensitive_fields``: model field → its French label. Those fields are left out
    of the form (the admin shows them masked through ``masked_with_reveal``)."""

    sensitive_fields: dict[str, str] = {}

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or ()), *self.sensitive_fields]

    def get_urls(self):
        meta = self.model._meta
        return [
            path(
                "<path:object_id>/afficher/<str:field>/",
                self.admin_site.admin_view(self.reveal_view),
                name=f"{meta.app_label}_{meta.model_name}_reveal",
            ),
            *super().get_urls(),
        ]

    def reveal_view(self, request, object_id, field):
        if field not in self.sensitive_fields:
            raise Http404
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        label = self.sensitive_fields[field]
        value = None
        if request.method == "POST":
            SensitiveDataAccess.objects.create(
                user=request.user,
                field=label,
                content_type=ContentType.objects.get_for_model(obj),
                object_id=str(obj.pk),
                subject=str(obj)[:250],
            )
            value = getattr(obj, field)
        return TemplateResponse(
            request,
            "admin/sensitive_reveal.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": obj,
                "title": f"{label} de {obj}",
                "label": label,
                "value": value,
                "change_url": reverse(
                    f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk]
                ),
            },
        )
