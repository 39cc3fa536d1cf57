"""Back office: the members' documents and cards. Both are written by the services
(never by hand) and shown read-only; a card can be re-issued through the service."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from .member_models import MemberCard, MemberDocument
from .services.card import member_card_issue


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MemberDocument)
class MemberDocumentAdmin(ReadOnlyAdmin):
    list_display = ("title", "member_number", "kind", "document_date", "size", "download")
    list_filter = ("kind", "year")
    search_fields = ("title", "enrolment__employee__last_name")
    list_select_related = ("enrolment__employee",)
    fields = (
        "enrolment",
        "kind",
        "title",
        "document_date",
        "filename",
        "size",
        "created_at",
        "download",
    )
    readonly_fields = fields
    raw_id_fields = ("enrolment",)

    @admin.display(description="n° d'adhérent")
    def member_number(self, obj):
        return obj.enrolment.member_number

    @admin.display(description="fichier")
    def download(self, obj):
        url = reverse("admin:enrolment_memberdocument_download", args=[obj.pk])
        return format_html('<a href="{}">Ouvrir</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:document_id>/fichier/",
                self.admin_site.admin_view(self.download_view),
                name="enrolment_memberdocument_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, document_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        document = get_object_or_404(MemberDocument, pk=document_id)
        return FileResponse(
            document.file.open("rb"),
            filename=document.filename,
            content_type=document.content_type,
        )


@admin.register(MemberCard)
class MemberCardAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "member_number", "portability", "issued_at", "replaced_at", "reason")
    list_filter = ("portability", ("replaced_at", admin.EmptyFieldListFilter))
    search_fields = ("enrolment__employee__last_name",)
    list_select_related = ("enrolment__employee",)
    fields = (
        "enrolment",
        "valid_from",
        "valid_until",
        "portability",
        "holders",
        "reason",
        "issued_at",
        "replaced_at",
        "document",
    )
    readonly_fields = fields
    actions = ["reissue"]

    @admin.display(description="n° d'adhérent")
    def member_number(self, obj):
        return obj.enrolment.member_number

    @admin.action(description="Émettre une nouvelle carte (remplace la carte en cours)")
    def reissue(self, request, queryset):
        if not request.user.has_perm("enrolment.change_membercard"):
            raise PermissionDenied
        done = 0
        for card in queryset.filter(replaced_at__isnull=True).select_related("enrolment"):
            try:
                member_card_issue(enrolment=card.enrolment, reason="Réémission par la gestion")
            except ValidationError as error:
                self.message_user(
                    request, f"{card.enrolment} : {error.messages[0]}", messages.ERROR
                )
            else:
                done += 1
        self.message_user(request, f"{done} carte(s) émise(s).", messages.SUCCESS)
