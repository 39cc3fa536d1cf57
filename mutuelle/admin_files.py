"""Private files of the back office (letters to post, payment files, rejection files,
signed forms, proofs and attachments): one admin mixin serves them all, to the staff
allowed to view the object they belong to, never cached, 404 for a file that is gone."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html

from .uploads import private_file_response


@dataclass(frozen=True)
class PrivateFile:
    """One download of an admin list. ``route`` names the row ``<int:pk>`` (and, for a
    file held by a child row, its owner ``<int:owner_id>``); other route values reach
    ``file_of``. ``owner`` is the foreign key from ``model`` to the admin's object, whose
    view permission is checked."""

    url_name: str
    route: str
    model: type[models.Model]
    file_of: Callable[..., models.fields.files.FieldFile | None]
    # The name shown for the file; None: the name the file was uploaded with.
    filename: Callable[..., str] | None = None
    # None: the type detected when the file was uploaded.
    content_type: str | None = None
    as_attachment: bool = True
    owner: str = ""
    select_related: tuple[str, ...] = field(default=())


class PrivateFilesAdminMixin:
    """``private_files`` of a ModelAdmin get their URL (``admin:<url_name>``) and view."""

    private_files: tuple[PrivateFile, ...] = ()

    @staticmethod
    def private_file_link(url_name: str, label: str, *args) -> str:
        """A link to one of ``private_files`` (``url_name``, with its route's values)."""
        return format_html('<a href="{}">{}</a>', reverse(f"admin:{url_name}", args=args), label)

    def get_urls(self):
        return [
            path(
                spec.route,
                self.admin_site.admin_view(self._private_file_view(spec)),
                name=spec.url_name,
            )
            for spec in self.private_files
        ] + super().get_urls()

    def _private_file_view(self, spec: PrivateFile):
        def view(request, pk: int, owner_id: int | None = None, **route):
            rows = spec.model._default_manager.select_related(*spec.select_related)
            if spec.owner:
                rows = rows.select_related(spec.owner).filter(**{f"{spec.owner}_id": owner_id})
            obj = rows.filter(pk=pk).first()
            file = spec.file_of(obj, **route) if obj is not None else None
            if not file:
                raise Http404
            if spec.owner:
                checked = getattr(obj, spec.owner)
            else:
                checked = obj if spec.model is self.model else None
            if not self.has_view_permission(request, checked):
                raise PermissionDenied
            return private_file_response(
                file.open("rb"),
                filename=spec.filename(obj, **route) if spec.filename else obj.original_name,
                content_type=spec.content_type or obj.content_type,
                as_attachment=spec.as_attachment,
            )

        view.__name__ = f"{spec.url_name}_view"
        return view
