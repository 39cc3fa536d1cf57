"""Back office: the queue of dispensation requests and their decisions.

Actions call the services (which write the history and send the e-mails); proofs open
in the browser through an admin-only view, never through a public media URL.
"""

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from enrolment.exceptions import InvalidTransition
from mutuelle.admin_actions import apply_with_text_form, text_form
from mutuelle.admin_files import PrivateFile, PrivateFilesAdminMixin
from mutuelle.french import file_size
from mutuelle.models import Company

from .cases import ACT_ONLY_CASES, YEARLY_CASE_CODES
from .enums import UNDECIDED_STATES, DispensationStatus
from .models import ContractDispensationSettings, Dispensation, DispensationProof
from .services import (
    dispensation_accept,
    dispensation_ask_complement,
    dispensation_refuse,
    rejustification_overdue,
)

S = DispensationStatus


class CompanyFilter(admin.SimpleListFilter):
    title = "entreprise"
    parameter_name = "entreprise"

    def lookups(self, request, model_admin):
        companies = Company.objects.filter(
            employees__enrolments__dispensations__isnull=False
        ).distinct()
        return [(str(c.pk), c.legal_name) for c in companies.order_by("legal_name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(enrolment__employee__company_id=self.value())
        return queryset


class AgeFilter(admin.SimpleListFilter):
    title = "ancienneté de la demande"
    parameter_name = "age"
    RANGES = {
        "lt2": ("Moins de 2 jours", 0, 2),
        "2to7": ("De 2 à 7 jours", 2, 7),
        "7to30": ("De 7 à 30 jours", 7, 30),
        "gt30": ("Plus de 30 jours", 30, None),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _, _) in self.RANGES.items()]

    def queryset(self, request, queryset):
        if self.value() not in self.RANGES:
            return queryset
        _, younger, older = self.RANGES[self.value()]
        now = timezone.now()
        queryset = queryset.filter(created_at__lte=now - dt.timedelta(days=younger))
        if older is not None:
            queryset = queryset.filter(created_at__gt=now - dt.timedelta(days=older))
        return queryset


class RejustificationFilter(admin.SimpleListFilter):
    title = "justificatif annuel"
    parameter_name = "justificatif_annuel"

    def lookups(self, request, model_admin):
        return [
            ("en_retard", "En retard"),
            ("demande", "Demandé, en attente"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "en_retard":
            return rejustification_overdue(queryset, today=today)
        if self.value() == "demande":
            return queryset.filter(
                status=S.ACCEPTED,
                case__in=YEARLY_CASE_CODES,
                rejustify_by__gte=today,
                rejustification_requested_for__isnull=False,
            )
        return queryset


class DispensationProofInline(admin.TabularInline):
    model = DispensationProof
    extra = 0
    can_delete = False
    fields = ("open_link", "kind", "content_type", "size_display", "uploaded_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="justificatif")
    def open_link(self, proof):
        url = reverse(
            "admin:dispensations_dispensation_proof", args=[proof.dispensation_id, proof.pk]
        )
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, proof)

    @admin.display(description="taille")
    def size_display(self, proof):
        return file_size(proof.size)


MessageForm = text_form(field="message", label="Message au salarié (complément attendu)")
ReasonForm = text_form(field="reason", label="Motif du refus (envoyé au salarié)")


# The decisions of the detail page: the service, the form of its text, the message.
DECISIONS = {
    "accepter": (
        dispensation_accept,
        None,
        "acceptée : le salarié et l'entreprise en sont informés",
    ),
    "refuser": (dispensation_refuse, ReasonForm, "refusée : le salarié en est informé"),
    "complement": (
        dispensation_ask_complement,
        MessageForm,
        "en attente de complément : le salarié en est informé",
    ),
}


def _on_dispensation(service):
    return lambda row, **kwargs: service(dispensation=row, **kwargs)


@admin.register(Dispensation)
class DispensationAdmin(PrivateFilesAdminMixin, admin.ModelAdmin):
    list_display = (
        "number_display",
        "employee_display",
        "company_display",
        "case",
        "status",
        "created_at",
        "age_display",
        "end_date",
        "rejustify_by",
        "proof_count",
    )
    list_filter = (
        "status",
        "case",
        CompanyFilter,
        AgeFilter,
        RejustificationFilter,
    )
    search_fields = (
        "enrolment__employee__last_name",
        "enrolment__employee__first_name",
        "payroll_id",
        "request__id",
    )
    date_hierarchy = "created_at"
    list_select_related = ("enrolment__employee__company", "request")
    inlines = [DispensationProofInline]
    actions = ["action_ask_complement", "action_accept", "action_refuse"]
    readonly_fields = (
        "number_display",
        "employee_display",
        "company_display",
        "employer_record",
        "case",
        "legal_basis",
        "status",
        "payroll_id",
        "hire_date",
        "end_date",
        "insurer_name",
        "sworn_statement_accepted_at",
        "back_office_message",
        "refusal_reason",
        "decided_at",
        "decided_by",
        "rejustify_by",
        "rejustification_requested_for",
        "ended_at",
        "created_at",
        "history",
    )
    fieldsets = (
        (
            "Demande",
            {
                "fields": (
                    "number_display",
                    "employee_display",
                    "company_display",
                    "employer_record",
                    "status",
                    "created_at",
                )
            },
        ),
        (
            "Situation déclarée",
            {
                "fields": (
                    "case",
                    "legal_basis",
                    "payroll_id",
                    "hire_date",
                    "end_date",
                    "insurer_name",
                    "sworn_statement_accepted_at",
                )
            },
        ),
        (
            "Décision et suivi",
            {
                "fields": (
                    "back_office_message",
                    "refusal_reason",
                    "decided_at",
                    "decided_by",
                    "rejustify_by",
                    "rejustification_requested_for",
                    "ended_at",
                    "history",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("enrolment__employee__company", "request", "decided_by")
            .annotate(_proof_count=Count("proofs"))
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="demande", ordering="request_id")
    def number_display(self, obj):
        return f"Dispense N°{obj.number}"

    @admin.display(description="salarié", ordering="enrolment__employee__last_name")
    def employee_display(self, obj):
        return obj.enrolment.employee.full_name

    @admin.display(description="entreprise")
    def company_display(self, obj):
        return obj.enrolment.employee.company.legal_name

    @admin.display(description="déclaré par l'employeur")
    def employer_record(self, obj):
        employee = obj.enrolment.employee
        contract = obj.enrolment.contract
        record = (
            f"Matricule : {employee.payroll_id or '—'} ; "
            f"date d'embauche : {employee.hire_date:%d/%m/%Y} ; "
            f"contrat {contract.number} en vigueur depuis le {contract.start_date:%d/%m/%Y}"
        )
        act = getattr(contract, "dispensation_settings", None)
        if act is not None and act.unilateral_decision_date:
            record += f" ; régime mis en place par DUE le {act.unilateral_decision_date:%d/%m/%Y}"
        return record

    @admin.display(description="base légale")
    def legal_basis(self, obj):
        case = obj.case_info
        proofs = "; ".join(case.proofs) or "aucun"
        return f"{case.legal_basis} — justificatifs attendus : {proofs}"

    @admin.display(description="ancienneté")
    def age_display(self, obj):
        days = (timezone.now() - obj.created_at).days
        return f"{days} j"

    @admin.display(description="justificatifs", ordering="_proof_count")
    def proof_count(self, obj):
        return obj._proof_count

    @admin.display(description="historique de la demande")
    def history(self, obj):
        events = obj.request.events.select_related("actor").order_by("at", "id")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>Le {} : {} {}{}</li>",
                (
                    (
                        timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M"),
                        e.label,
                        f"— {e.note}" if e.note else "",
                        "" if e.visible_to_employer else " (non visible par l'entreprise)",
                    )
                    for e in events
                ),
            ),
        )

    # --- proofs ------------------------------------------------------------------------

    private_files = (
        PrivateFile(
            url_name="dispensations_dispensation_proof",
            route="<int:owner_id>/justificatif/<int:pk>/",
            model=DispensationProof,
            owner="dispensation",
            file_of=lambda proof: proof.file,
            as_attachment=False,
        ),
    )

    def get_urls(self):
        return [
            path(
                "<int:dispensation_id>/decision/<str:decision>/",
                self.admin_site.admin_view(self.decision_view),
                name="dispensations_dispensation_decision",
            ),
            *super().get_urls(),
        ]

    # --- decision from the detail page ---------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        dispensation = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "undecided": dispensation is not None and dispensation.status in UNDECIDED_STATES,
            "refuse_form": ReasonForm(),
            "complement_form": MessageForm(),
            "proofs": dispensation.proofs.order_by("uploaded_at", "pk") if dispensation else [],
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def decision_view(self, request, dispensation_id: int, decision: str):
        """« Accepter » (GET: confirmation page, POST: accepted), « refuser » and
        « complement » (POST with the text sent to the employee)."""
        dispensation = self.get_object(request, str(dispensation_id))
        if dispensation is None or decision not in DECISIONS:
            raise Http404
        if not self.has_change_permission(request, dispensation):
            raise PermissionDenied
        change_url = reverse("admin:dispensations_dispensation_change", args=[dispensation.pk])
        if request.method != "POST":
            if decision != "accepter":
                return HttpResponseRedirect(change_url)
            return TemplateResponse(
                request,
                "admin/dispensations/dispensation/accept_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": f"Accepter la dispense N°{dispensation.number}",
                    "opts": self.model._meta,
                    "dispensation": dispensation,
                    "change_url": change_url,
                },
            )
        operation, form_class, done = DECISIONS[decision]
        form = form_class(request.POST) if form_class else None
        if form is not None and not form.is_valid():
            label = next(iter(form.fields.values())).label
            self.message_user(request, f"{label} : à renseigner.", messages.ERROR)
            return HttpResponseRedirect(change_url)
        try:
            operation(
                dispensation=dispensation, by=request.user, **(form.cleaned_data if form else {})
            )
        except (InvalidTransition, ValidationError):
            self.message_user(
                request,
                f"Décision impossible : la demande est « {dispensation.get_status_display()} ».",
                messages.ERROR,
            )
        else:
            self.message_user(
                request, f"Dispense N°{dispensation.number} {done}.", messages.SUCCESS
            )
        return HttpResponseRedirect(change_url)

    # --- actions -----------------------------------------------------------------------

    def _with_form(self, request, queryset, *, form_class, title, operation):
        return apply_with_text_form(
            self,
            request,
            queryset.select_related("enrolment__employee", "request"),
            _on_dispensation(operation),
            form_class=form_class,
            title=title,
            describe=lambda d: (
                f"Dispense N°{d.number} — {d.enrolment.employee.full_name} "
                f"({d.get_status_display()})"
            ),
            expected=(InvalidTransition, ValidationError),
        )

    @admin.action(description="Demander un complément", permissions=["change"])
    def action_ask_complement(self, request, queryset):
        return self._with_form(
            request,
            queryset,
            form_class=MessageForm,
            title="Demander un complément",
            operation=dispensation_ask_complement,
        )

    @admin.action(description="Accepter la dispense", permissions=["change"])
    def action_accept(self, request, queryset):
        # No text to type: the intermediate page is the confirmation.
        return self._with_form(
            request,
            queryset,
            form_class=forms.Form,
            title="Accepter la dispense",
            operation=dispensation_accept,
        )

    @admin.action(description="Refuser la dispense", permissions=["change"])
    def action_refuse(self, request, queryset):
        return self._with_form(
            request,
            queryset,
            form_class=ReasonForm,
            title="Refuser la dispense",
            operation=dispensation_refuse,
        )


class ContractDispensationSettingsForm(forms.ModelForm):
    act_cases = forms.MultipleChoiceField(
        label="Cas de dispense prévus par l'acte de mise en place",
        choices=[
            (case.code, f"{case.short_label} — {case.legal_basis}") for case in ACT_ONLY_CASES
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ContractDispensationSettings
        fields = (
            "contract",
            "act_cases",
            "unilateral_decision_date",
            "unilateral_decision_with_contribution",
        )


@admin.register(ContractDispensationSettings)
class ContractDispensationSettingsAdmin(admin.ModelAdmin):
    form = ContractDispensationSettingsForm
    list_display = (
        "contract",
        "company",
        "act_cases_display",
        "unilateral_decision_date",
        "unilateral_decision_with_contribution",
    )
    list_select_related = ("contract__company",)
    search_fields = ("contract__number", "contract__company__legal_name")

    @admin.display(description="entreprise")
    def company(self, obj):
        return obj.contract.company.legal_name

    @admin.display(description="cas prévus par l'acte")
    def act_cases_display(self, obj):
        labels = {case.code: case.short_label for case in ACT_ONLY_CASES}
        return ", ".join(labels.get(code, code) for code in obj.act_cases) or "—"
