"""Back office for reimbursements: settlement imports (background job with progress),
lines with their « Détail du calcul » (each reading logged), professionals paid in tiers
payant, payment batches, and the health-data access log (superusers only)."""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from enrolment.models import enrolment_pk_of
from member_requests.admin import DocumentInline, MemberRequestAdmin
from member_requests.enums import MemberRequestKind
from mutuelle.admin_actions import action_form_response
from mutuelle.admin_files import PrivateFile, PrivateFilesAdminMixin
from mutuelle.formatting import euros
from mutuelle.validators import mask_iban

from .enums import BatchStatus, ImportStatus
from .models import (
    BenefitRequest,
    EstimateRequest,
    HealthDataAccess,
    PaymentBatch,
    Professional,
    ReimbursementLine,
    ReimbursementRequest,
    SettlementImport,
)
from .services.access_log import health_data_access_log
from .services.payments import payment_batch_mark_sent
from .services.settlements import settlement_import_create
from .settlement_files import COLUMNS
from .tasks import run_settlement_import

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class SettlementUploadForm(forms.ModelForm):
    upload = forms.FileField(
        label="Fichier de décomptes (CSV)",
        help_text="Séparateur « ; », UTF-8 ou Windows-1252, en-tête : " + ";".join(COLUMNS),
    )

    class Meta:
        model = SettlementImport
        fields = []

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("Le fichier dépasse 50 Mo.")
        head = upload.read(4096)
        upload.seek(0)
        if b"\x00" in head:
            raise forms.ValidationError("Ce fichier n'est pas un fichier texte CSV.")
        return upload


@admin.register(SettlementImport)
class SettlementImportAdmin(PrivateFilesAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "original_name",
        "status",
        "progress",
        "imported_count",
        "rejected_count",
        "known_count",
        "mutuelle_total",
    ]
    list_filter = ["status"]
    fields = [
        "original_name",
        "status",
        "progress",
        "refusal_reason",
        "total_rows",
        "imported_count",
        "rejected_count",
        "known_count",
        "mutuelle_total",
        "rejection_link",
        "created_by",
        "created_at",
        "finished_at",
    ]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = SettlementUploadForm
            kwargs["fields"] = []
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["upload"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data["upload"]
        created = settlement_import_create(
            content=upload.read(), filename=upload.name or "decomptes.csv", by=request.user
        )
        obj.pk = created.pk
        transaction.on_commit(lambda: run_settlement_import.delay(created.pk))

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, "Fichier déposé : l'import se poursuit en tâche de fond.")
        return HttpResponseRedirect(
            reverse("admin:benefits_settlementimport_change", args=[obj.pk])
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        running = obj is not None and obj.status in (ImportStatus.PENDING, ImportStatus.RUNNING)
        extra_context = {**(extra_context or {}), "refresh_seconds": 2 if running else None}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="avancement")
    def progress(self, obj):
        value = obj.progress_percent
        return format_html(
            '<progress max="100" value="{}" aria-label="Avancement">{} %</progress> {} %',
            value,
            value,
            value,
        )

    @admin.display(description="fichier de rejet")
    def rejection_link(self, obj):
        if not obj.rejection_file:
            return "—"
        return self.private_file_link(
            "benefits_settlementimport_rejection", "Télécharger le fichier de rejet", obj.pk
        )

    private_files = (
        PrivateFile(
            url_name="benefits_settlementimport_rejection",
            route="<int:pk>/rejet/",
            model=SettlementImport,
            file_of=lambda job: job.rejection_file,
            filename=lambda job: f"rejet-{job.pk}.csv",
            content_type="text/csv; charset=utf-8",
        ),
    )


@admin.register(ReimbursementLine)
class ReimbursementLineAdmin(admin.ModelAdmin):
    """Health data: listed only for one member searched by number, each reading logged."""

    list_display = [
        "care_date",
        "member_number",
        "beneficiary_display",
        "act_code",
        "actual_cost",
        "ss_paid",
        "mutuelle_share",
        "out_of_pocket",
        "third_party_payment",
        "paid_on",
    ]
    list_select_related = ["enrolment__employee", "beneficiary"]
    search_fields = ["=reference"]
    search_help_text = "N° d'adhérent (exact) ou référence de la ligne"
    list_filter = ["source", "third_party_payment"]
    show_full_result_count = False
    fields = [
        "reference",
        "source",
        "member_number",
        "beneficiary_display",
        "care_date",
        "act_code",
        "fee_sector",
        "quantity",
        "actual_cost",
        "ss_base",
        "ss_rate",
        "ss_paid",
        "ss_deductible",
        "mutuelle_share",
        "out_of_pocket",
        "guarantee_row",
        "computation_display",
        "third_party_payment",
        "professional_name",
        "payment_batch",
        "paid_on",
        "settlement_import",
        "created_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset.none(), False
        if (pk := enrolment_pk_of(term)) is not None:
            return queryset.filter(enrolment_id=pk), False
        return super().get_search_results(request, queryset, term)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            enrolment_ids = {line.enrolment_id for line in changelist.result_list}
            health_data_access_log(
                user=request.user, enrolment_ids=enrolment_ids, what="Liste des remboursements"
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = getattr(response, "context_data", {}).get("original")
        if obj is not None:
            health_data_access_log(
                user=request.user,
                enrolment_ids=[obj.enrolment_id],
                what=f"Détail du remboursement {obj.reference}",
            )
        return response

    @admin.display(description="n° d'adhérent")
    def member_number(self, obj):
        return obj.enrolment.member_number

    @admin.display(description="bénéficiaire")
    def beneficiary_display(self, obj):
        return obj.beneficiary_name

    @admin.display(description="détail du calcul")
    def computation_display(self, obj):
        return format_html_join("", "<p>{}</p>", ((step,) for step in obj.computation_steps))


@admin.register(Professional)
class ProfessionalAdmin(admin.ModelAdmin):
    list_display = ["name", "masked_iban", "bic"]
    search_fields = ["name"]
    fields = ["name", "iban", "bic"]

    @admin.display(description="IBAN")
    def masked_iban(self, obj):
        return mask_iban(obj.iban) if obj.iban else "— (paiement en attente)"


class ConfirmForm(forms.Form):
    """Nothing to type: the intermediate page is the confirmation of an irreversible act."""


@admin.register(PaymentBatch)
class PaymentBatchAdmin(PrivateFilesAdminMixin, admin.ModelAdmin):
    list_display = [
        "execution_date",
        "status",
        "transfer_count",
        "line_count",
        "total",
        "held_count",
        "download_link",
        "sent_at",
    ]
    list_filter = ["status"]
    date_hierarchy = "execution_date"
    actions = ["mark_sent"]
    fields = [
        "execution_date",
        "status",
        "message_id",
        "transfer_count",
        "line_count",
        "total",
        "held_count",
        "download_link",
        "created_at",
        "sent_at",
        "sent_by",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="fichier")
    def download_link(self, obj):
        return self.private_file_link(
            "benefits_paymentbatch_download", "Télécharger le fichier pain.001", obj.pk
        )

    private_files = (
        PrivateFile(
            url_name="benefits_paymentbatch_download",
            route="<int:pk>/pain001/",
            model=PaymentBatch,
            file_of=lambda batch: batch.file,
            filename=lambda batch: f"virements-{batch.execution_date:%Y%m%d}.xml",
            content_type="application/xml",
        ),
    )

    @admin.action(description="Marquer comme envoyé à la banque", permissions=["change"])
    def mark_sent(self, request, queryset):
        batches = list(queryset.filter(status=BatchStatus.GENERATED))
        if "apply" not in request.POST:
            return action_form_response(
                self,
                request,
                queryset,
                form=ConfirmForm(),
                title="Marquer comme envoyé à la banque",
                intro="Lots concernés (les lignes seront datées du paiement, irréversible)",
                items=[f"{batch} — {euros(batch.total)}" for batch in batches],
            )
        for batch in batches:
            payment_batch_mark_sent(batch=batch, by=request.user)
        self.message_user(request, f"{len(batches)} lot(s) marqué(s) comme envoyé(s).")
        return None


@admin.register(HealthDataAccess)
class HealthDataAccessAdmin(admin.ModelAdmin):
    """Readable by superusers only, never editable."""

    list_display = ["at", "user", "enrolment", "what"]
    list_select_related = ["user", "enrolment"]
    search_fields = ["user__email"]
    date_hierarchy = "at"

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReimbursementRequestInline(admin.StackedInline):
    """What the member declared, and the settlement data the back office enters."""

    model = ReimbursementRequest
    can_delete = False
    extra = 0
    max_num = 1
    readonly_fields = [
        "beneficiary",
        "care_date",
        "care_kind",
        "amount_paid",
        "professional_name",
        "line",
    ]
    fields = [
        *readonly_fields[:-1],
        "act_code",
        "fee_sector",
        "quantity",
        "out_of_nomenclature",
        "ss_base",
        "ss_rate",
        "ss_paid",
        "ss_deductible",
        "line",
    ]


class EstimateRequestInline(admin.StackedInline):
    model = EstimateRequest
    can_delete = False
    extra = 0
    max_num = 1
    readonly_fields = [
        "beneficiary",
        "act_code",
        "fee_sector",
        "price",
        "ss_base",
        "ss_rate",
        "estimate_display",
        "answer_document",
    ]
    fields = [*readonly_fields[:-1], "answer", "answer_document"]

    @admin.display(description="estimation immédiate")
    def estimate_display(self, obj):
        data = obj.estimate or {}
        return format_html(
            "Mutuelle {}, reste à charge {}",
            euros(data.get("mutuelle", "0")),
            euros(data.get("out_of_pocket", "0")),
        )


@admin.register(BenefitRequest)
class BenefitRequestAdmin(MemberRequestAdmin):
    """Enter the settlement data (or « hors nomenclature ») or the answer to a quote,
    save, then « Accepter la demande »: the engine computes the line (or the PDF
    answer is filed) in the same transaction as « Traitée »."""

    kinds = frozenset({MemberRequestKind.REIMBURSEMENT, MemberRequestKind.ESTIMATE})
    inlines = [ReimbursementRequestInline, EstimateRequestInline, DocumentInline]

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("member_requests.change_memberrequest")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = getattr(response, "context_data", {}).get("original")
        if obj is not None:
            health_data_access_log(
                user=request.user,
                enrolment_ids=[obj.enrolment_id],
                what=f"Demande n° {obj.number} ({obj.get_kind_display()})",
            )
        return response
