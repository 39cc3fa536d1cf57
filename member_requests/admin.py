"""Back office: one queue per request type, with the documents at hand and the
decisions (take up, ask for a complement, accept, refuse) made through the services.

``MemberRequestAdmin`` is the base of every queue: an app that adds kinds (benefits)
registers its own proxy model with a subclass naming its ``kinds``.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from enrolment.exceptions import InvalidTransition
from mutuelle.admin_actions import apply_to_rows, apply_with_text_form, text_form
from mutuelle.admin_files import PrivateFile, PrivateFilesAdminMixin
from mutuelle.french import file_size

from .enums import MemberRequestKind
from .models import (
    BankAccountChange,
    BankAccountRequest,
    BeneficiaryChange,
    BeneficiaryRequest,
    ContractMemberSettings,
    MemberRequest,
    MemberRequestDocument,
    OtherRequest,
    PortabilityDeclaration,
    PortabilityRequest,
    SepaMandate,
)
from .services import (
    member_request_accept,
    member_request_ask_complement,
    member_request_refuse,
    member_request_take_up,
)

K = MemberRequestKind
EXPECTED = (InvalidTransition, ValidationError)
MessageForm = text_form(field="message", label="Message à l'adhérent (complément attendu)")
ReasonForm = text_form(field="reason", label="Motif du refus (envoyé à l'adhérent)")


def _describe(member_request: MemberRequest) -> str:
    return f"N° {member_request.number} ({member_request.get_status_display()})"


def _on_request(service):
    return lambda row, **kwargs: service(member_request=row, **kwargs)


class DocumentInline(admin.TabularInline):
    model = MemberRequestDocument
    extra = 0
    can_delete = False
    fields = ("open_link", "label", "stage", "content_type", "size_display", "uploaded_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="document")
    def open_link(self, document):
        url = reverse(
            "admin:member_requests_memberrequest_document",
            args=[document.request_id, document.pk],
        )
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, document)

    @admin.display(description="taille")
    def size_display(self, document):
        return file_size(document.size)


class MemberRequestAdmin(PrivateFilesAdminMixin, admin.ModelAdmin):
    # The kinds this queue lists (empty: every kind).
    kinds: frozenset[str] = frozenset()
    list_display = (
        "number_display",
        "kind",
        "member_display",
        "status",
        "created_at",
        "age_display",
        "document_count",
    )
    list_filter = ("status", "kind")
    search_fields = (
        "enrolment__employee__last_name",
        "enrolment__employee__first_name",
        "id",
    )
    date_hierarchy = "created_at"
    inlines = [DocumentInline]
    actions = ["action_take_up", "action_ask_complement", "action_accept", "action_refuse"]
    readonly_fields = (
        "number_display",
        "kind",
        "member_display",
        "status",
        "message",
        "back_office_message",
        "refusal_reason",
        "created_at",
        "decided_at",
        "decided_by",
        "history",
    )
    fields = readonly_fields

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .select_related("enrolment__employee", "decided_by")
            .annotate(_document_count=Count("documents"))
        )
        if self.kinds:
            queryset = queryset.filter(kind__in=sorted(self.kinds))
        return queryset

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="demande", ordering="id")
    def number_display(self, obj):
        return f"N° {obj.number}"

    @admin.display(description="adhérent", ordering="enrolment__employee__last_name")
    def member_display(self, obj):
        return f"{obj.enrolment.employee.full_name} (adhérent n° {obj.enrolment.member_number})"

    @admin.display(description="ancienneté")
    def age_display(self, obj):
        return f"{(timezone.now() - obj.created_at).days} j"

    @admin.display(description="documents", ordering="_document_count")
    def document_count(self, obj):
        return obj._document_count

    @admin.display(description="historique de la demande")
    def history(self, obj):
        events = obj.events.select_related("actor").order_by("at", "id")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>Le {} : {}{}{}</li>",
                (
                    (
                        timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M"),
                        e.label,
                        f" ({e.actor})" if e.actor else "",
                        f" — {e.note}" if e.note else "",
                    )
                    for e in events
                ),
            ),
        )

    # --- documents -----------------------------------------------------------------

    # --- actions ---------------------------------------------------------------------

    @admin.action(description="Prendre en charge", permissions=["change"])
    def action_take_up(self, request, queryset):
        apply_to_rows(
            self,
            request,
            queryset,
            _on_request(member_request_take_up),
            describe=_describe,
            expected=EXPECTED,
        )

    @admin.action(description="Demander un complément", permissions=["change"])
    def action_ask_complement(self, request, queryset):
        return apply_with_text_form(
            self,
            request,
            queryset,
            _on_request(member_request_ask_complement),
            form_class=MessageForm,
            title="Demander un complément",
            describe=_describe,
            expected=EXPECTED,
        )

    @admin.action(description="Accepter la demande", permissions=["change"])
    def action_accept(self, request, queryset):
        apply_to_rows(
            self,
            request,
            queryset,
            _on_request(member_request_accept),
            describe=_describe,
            expected=EXPECTED,
        )

    @admin.action(description="Refuser la demande", permissions=["change"])
    def action_refuse(self, request, queryset):
        return apply_with_text_form(
            self,
            request,
            queryset,
            _on_request(member_request_refuse),
            form_class=ReasonForm,
            title="Refuser la demande",
            describe=_describe,
            expected=EXPECTED,
        )


class AllMemberRequestsAdmin(MemberRequestAdmin):
    """Every request; the queues below list one kind each and link to the documents
    this list serves."""

    private_files = (
        PrivateFile(
            url_name="member_requests_memberrequest_document",
            route="<int:owner_id>/document/<int:pk>/",
            model=MemberRequestDocument,
            owner="request",
            file_of=lambda document: document.file,
            as_attachment=False,
        ),
    )


admin.site.register(MemberRequest, AllMemberRequestsAdmin)


class BeneficiaryChangeInline(admin.StackedInline):
    model = BeneficiaryChange
    fk_name = "request"
    can_delete = False
    fields = (
        "action",
        "beneficiary",
        "declared",
        "effective_date",
        "removal_reason",
        "monthly_before",
        "monthly_after",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="identité déclarée")
    def declared(self, change):
        data = change.data
        if not data:
            return "—"
        return (
            f"{data.get('first_name', '')} {data.get('last_name', '')}, né(e) le "
            f"{data.get('birth_date', '')} — {data.get('relationship', '')}"
            f"{' (' + data['spouse_kind'] + ')' if data.get('spouse_kind') else ''}"
        )


@admin.register(BeneficiaryRequest)
class BeneficiaryRequestAdmin(MemberRequestAdmin):
    kinds = frozenset({K.BENEFICIARY_ADD, K.BENEFICIARY_REMOVE})
    inlines = [BeneficiaryChangeInline, DocumentInline]


@admin.register(ContractMemberSettings)
class ContractMemberSettingsAdmin(admin.ModelAdmin):
    list_display = ("contract", "birth_effective_at_birth", "birth_declaration_months")
    list_select_related = ("contract",)
    search_fields = ("contract__number",)


class BankAccountChangeInline(admin.StackedInline):
    model = BankAccountChange
    fk_name = "request"
    can_delete = False
    fields = ("purpose", "beneficiary", "holder", "iban", "bic", "mandate_display")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="nouveau mandat")
    def mandate_display(self, change):
        mandate = change.mandate
        if mandate is None:
            return "—"
        signed = f", signé le {mandate.signed_on:%d/%m/%Y}" if mandate.signed_on else ""
        return f"{mandate.reference} ({mandate.get_status_display()}{signed})"


@admin.register(BankAccountRequest)
class BankAccountRequestAdmin(MemberRequestAdmin):
    kinds = frozenset({K.CONTRIBUTION_ACCOUNT, K.BENEFIT_ACCOUNT})
    inlines = [BankAccountChangeInline, DocumentInline]


@admin.register(SepaMandate)
class SepaMandateAdmin(admin.ModelAdmin):
    list_display = ("reference", "enrolment", "status", "signed_on", "usable_from", "revoked_from")
    list_filter = ("status",)
    search_fields = ("reference", "enrolment__employee__last_name")
    list_select_related = ("enrolment",)
    readonly_fields = (
        "enrolment",
        "reference",
        "creditor_ics",
        "holder",
        "masked_iban",
        "bic",
        "status",
        "signed_on",
        "evidence",
        "usable_from",
        "revoked_from",
        "first_debit_sent_on",
        "created_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PortabilityDeclarationInline(admin.StackedInline):
    model = PortabilityDeclaration
    fk_name = "request"
    can_delete = False
    fields = ("termination_display", "end_cause", "end_date")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="portabilité")
    def termination_display(self, declaration):
        termination = declaration.termination
        return (
            f"Contrat de travail terminé le {termination.termination_date:%d/%m/%Y}, "
            f"portabilité jusqu'au {termination.portability_end_date:%d/%m/%Y} au plus tard"
        )


@admin.register(PortabilityRequest)
class PortabilityRequestAdmin(MemberRequestAdmin):
    kinds = frozenset({K.PORTABILITY, K.PORTABILITY_END})
    inlines = [PortabilityDeclarationInline, DocumentInline]


@admin.register(OtherRequest)
class OtherRequestAdmin(MemberRequestAdmin):
    kinds = frozenset({K.OTHER})
