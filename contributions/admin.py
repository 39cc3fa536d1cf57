"""Back office of contributions: direct-debit batches (build, download, mark sent),
instalments with returned debits (entered one by one or imported), card payments."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from mutuelle.admin_actions import apply_with_text_form
from mutuelle.admin_files import PrivateFile, PrivateFilesAdminMixin
from mutuelle.formatting import euros

from .enums import RETURN_REASONS, BatchStatus
from .models import CardPayment, DebitBatch, Instalment
from .services import (
    debit_batch_build,
    debit_batch_mark_sent,
    debit_returns_parse,
    debit_returns_record,
)

MAX_RETURNS_FILE = 2 * 1024 * 1024


class BuildForm(forms.Form):
    collection_date = forms.DateField(
        label="Date de prélèvement (JJ/MM/AAAA)", input_formats=["%d/%m/%Y", "%Y-%m-%d"]
    )


class ReturnsFileForm(forms.Form):
    file = forms.FileField(
        label="Fichier des rejets (CSV : référence ECH-…, motif AM04…)",
        help_text="Une ligne par prélèvement rejeté ; séparateur « ; » ou « , ».",
    )


@admin.register(DebitBatch)
class DebitBatchAdmin(PrivateFilesAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "collection_date", "count", "total_display", "status", "download")
    list_filter = ("status",)
    date_hierarchy = "collection_date"
    actions = ["action_mark_sent"]
    readonly_fields = (
        "collection_date",
        "status",
        "message_id",
        "count",
        "total_display",
        "download",
        "created_at",
        "created_by",
        "sent_at",
        "sent_by",
    )
    fields = readonly_fields
    change_list_template = "admin/contributions/debitbatch/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="montant total", ordering="total")
    def total_display(self, batch):
        return euros(batch.total)

    @admin.display(description="fichier")
    def download(self, batch):
        return self.private_file_link(
            "contributions_debitbatch_download", "Télécharger le pain.008", batch.pk
        )

    private_files = (
        PrivateFile(
            url_name="contributions_debitbatch_download",
            route="<int:pk>/fichier/",
            model=DebitBatch,
            file_of=lambda batch: batch.file,
            filename=lambda batch: f"{batch.message_id}.xml",
            content_type="application/xml",
        ),
    )

    def get_urls(self):
        return [
            path(
                "preparer/",
                self.admin_site.admin_view(self.build_view),
                name="contributions_debitbatch_build",
            ),
            *super().get_urls(),
        ]

    def build_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = BuildForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                batch = debit_batch_build(
                    collection_date=form.cleaned_data["collection_date"], by=request.user
                )
            except ValidationError as exc:
                form.add_error("collection_date", exc)
            else:
                self.message_user(
                    request,
                    f"{batch} : {euros(batch.total)}, fichier prêt à télécharger.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:contributions_debitbatch_changelist"))
        return TemplateResponse(
            request,
            "admin/contributions/form_page.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Préparer les prélèvements d'une date",
                "form": form,
                "multipart": False,
            },
        )

    @admin.action(description="Marquer comme envoyé à la banque", permissions=["change"])
    def action_mark_sent(self, request, queryset):
        done = 0
        for batch in queryset.filter(status=BatchStatus.READY):
            debit_batch_mark_sent(batch=batch, by=request.user)
            done += 1
        self.message_user(request, f"{done} lot(s) marqué(s) comme envoyé(s).", messages.SUCCESS)


ReturnReasonForm = type(
    "ReturnReasonForm",
    (forms.Form,),
    {
        "reason": forms.ChoiceField(
            label="Motif du rejet (code R-transaction)",
            choices=[(code, f"{code} — {label}") for code, label in RETURN_REASONS.items()],
        )
    },
)


@admin.register(Instalment)
class InstalmentAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "enrolment",
        "due_date",
        "amount_display",
        "status",
        "sequence_type",
        "return_reason",
    )
    list_filter = ("status", "sequence_type", "due_date")
    search_fields = ("enrolment__employee__last_name", "id")
    list_select_related = ("enrolment",)
    date_hierarchy = "due_date"
    actions = ["action_record_return"]
    change_list_template = "admin/contributions/instalment/change_list.html"
    readonly_fields = (
        "enrolment",
        "due_date",
        "period_start",
        "period_end",
        "amount",
        "status",
        "batch",
        "mandate",
        "sequence_type",
        "return_reason",
        "returned_at",
        "settled_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="référence", ordering="id")
    def reference(self, instalment):
        return instalment.end_to_end_id

    @admin.display(description="montant", ordering="amount")
    def amount_display(self, instalment):
        return euros(instalment.amount)

    @admin.action(description="Enregistrer un rejet de prélèvement", permissions=["change"])
    def action_record_return(self, request, queryset):
        return apply_with_text_form(
            self,
            request,
            queryset,
            lambda row, *, by, reason: debit_returns_record(
                returns=[(row.end_to_end_id, reason)], by=by
            ),
            form_class=ReturnReasonForm,
            title="Enregistrer un rejet de prélèvement",
            describe=lambda i: (
                f"{i.end_to_end_id} du {i.due_date:%d/%m/%Y} ({i.get_status_display()})"
            ),
            expected=(ValidationError,),
        )

    def get_urls(self):
        return [
            path(
                "rejets/",
                self.admin_site.admin_view(self.import_returns_view),
                name="contributions_instalment_import_returns",
            ),
            *super().get_urls(),
        ]

    def import_returns_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = ReturnsFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > MAX_RETURNS_FILE:
                    raise ValidationError("Fichier trop volumineux (2 Mo au plus).")
                changed = debit_returns_record(
                    returns=debit_returns_parse(upload.read()), by=request.user
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                self.message_user(
                    request,
                    f"{len(changed)} échéance(s) passée(s) en impayé ; "
                    "les adhérents sont prévenus.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:contributions_instalment_changelist"))
        return TemplateResponse(
            request,
            "admin/contributions/form_page.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Importer des rejets de prélèvement",
                "form": form,
                "multipart": True,
            },
        )


@admin.register(CardPayment)
class CardPaymentAdmin(admin.ModelAdmin):
    list_display = ("reference", "enrolment", "amount", "status", "backend", "paid_at")
    list_filter = ("status", "backend")
    search_fields = ("reference", "provider_id", "enrolment__employee__last_name")
    list_select_related = ("enrolment",)
    readonly_fields = (
        "enrolment",
        "reference",
        "provider_id",
        "backend",
        "amount",
        "status",
        "created_at",
        "paid_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
