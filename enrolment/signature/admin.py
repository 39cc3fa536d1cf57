"""Back office of signatures: the signed enrolments to process (validate or send back to
the employee) and the read-only evidence with its PDF files."""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from mutuelle.admin_actions import action_form_response
from mutuelle.admin_files import PrivateFile, PrivateFilesAdminMixin

from ..enums import EnrolmentStatus
from ..exceptions import InvalidTransition
from ..services.backoffice import enrolment_return_to_employee, enrolment_validate
from .membership_form import phone_origin_text
from .models import SignatureEvidence, SignedEnrolment


class ReturnForm(forms.Form):
    message = forms.CharField(
        label="Message au salarié (ce qu'il doit corriger)",
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        max_length=2000,
        error_messages={"required": "Écrivez au salarié ce qu'il doit corriger."},
    )


def _evidence_links(evidence: SignatureEvidence | None):
    if evidence is None:
        return "—"
    return format_html(
        '<a href="{}">Dossier signé (PDF)</a> · <a href="{}">Preuve</a>',
        reverse("admin:enrolment_signatureevidence_file", args=[evidence.pk, "dossier"]),
        reverse("admin:enrolment_signatureevidence_change", args=[evidence.pk]),
    )


@admin.register(SignedEnrolment)
class SignedEnrolmentAdmin(admin.ModelAdmin):
    """« Adhésions signées à traiter »: the work list, oldest signature first."""

    list_display = ["member_number", "employee", "company", "offer", "signed_at", "evidence"]
    list_select_related = ["employee__company", "offer"]
    list_filter = ["employee__company", "contract__product_line"]
    search_fields = ["employee__last_name", "employee__first_name", "contract__number"]
    ordering = ["signed_at", "pk"]
    actions = ["validate", "return_to_employee"]
    fields = [
        "member_number",
        "employee",
        "company",
        "contract",
        "group",
        "offer",
        "effective_date",
        "signed_at",
        "evidence",
        "history",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(status=EnrolmentStatus.SIGNED)
            .prefetch_related("signature_evidences")
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="n° d'adhérent", ordering="pk")
    def member_number(self, obj):
        return obj.member_number

    @admin.display(description="entreprise", ordering="employee__company__legal_name")
    def company(self, obj):
        return obj.employee.company

    @admin.display(description="dossier signé")
    def evidence(self, obj):
        evidences = sorted(obj.signature_evidences.all(), key=lambda e: (e.signed_at, e.pk))
        return _evidence_links(evidences[-1] if evidences else None)

    @admin.display(description="historique de la demande")
    def history(self, obj):
        request = obj.requests.filter(type="affiliation").first()
        if request is None:
            return "—"
        return format_html(
            '<a href="{}">Demande n° {}</a>',
            reverse("admin:enrolment_request_change", args=[request.pk]),
            request.number,
        )

    def _apply(self, request, queryset, operation, **kwargs) -> int:
        done = 0
        for enrolment in queryset:
            try:
                operation(enrolment=enrolment, by=request.user, **kwargs)
            except InvalidTransition:
                self.message_user(
                    request, f"{enrolment} n'est plus à l'état « signé ».", messages.WARNING
                )
            else:
                done += 1
        return done

    @admin.action(description="Valider (mettre en gestion)", permissions=["change"])
    def validate(self, request, queryset):
        done = self._apply(request, queryset, enrolment_validate)
        self.message_user(
            request,
            f"{done} adhésion(s) validée(s) et mise(s) en gestion : la carte mutualiste est "
            "disponible pour le salarié.",
            messages.SUCCESS,
        )

    @admin.action(description="Renvoyer au salarié pour correction", permissions=["change"])
    def return_to_employee(self, request, queryset):
        form = ReturnForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = self._apply(
                request,
                queryset,
                enrolment_return_to_employee,
                message=form.cleaned_data["message"],
            )
            self.message_user(
                request, f"{done} adhésion(s) renvoyée(s) au salarié.", messages.SUCCESS
            )
            return None
        return action_form_response(
            self,
            request,
            queryset,
            form=form,
            title="Renvoyer au salarié pour correction",
            submit_label="Renvoyer au salarié",
            intro=(
                "Adhésions concernées (le salarié reçoit ce message par e-mail, peut corriger "
                "ses informations puis signer de nouveau ; l'entreprise voit seulement que le "
                "dossier lui a été renvoyé)"
            ),
            items=[
                f"{e} — {e.employee.full_name} ({e.employee.company})"
                for e in queryset.select_related("employee__company")
            ],
        )


@admin.register(SignatureEvidence)
class SignatureEvidenceAdmin(PrivateFilesAdminMixin, admin.ModelAdmin):
    """Read-only: evidence is written once by the signature service."""

    list_display = ["signed_at", "signer_name", "enrolment", "form_version", "files"]
    list_select_related = ["enrolment"]
    search_fields = ["signer_name", "email", "enrolment__employee__last_name"]
    date_hierarchy = "signed_at"
    fields = [
        "enrolment",
        "signer_name",
        "email",
        "phone",
        "phone_origin",
        "signed_at",
        "ip_address",
        "user_agent",
        "form_version",
        "consent_version",
        "consents",
        "events",
        "document_sha256",
        "dossier_sha256",
        "files",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="origine du mobile")
    def phone_origin(self, obj):
        return phone_origin_text(obj)

    @admin.display(description="fichiers")
    def files(self, obj):
        url_name = "enrolment_signatureevidence_file"
        return format_html(
            "{} · {}",
            self.private_file_link(url_name, "Bulletin signé", obj.pk, "bulletin"),
            self.private_file_link(url_name, "Dossier avec page de signature", obj.pk, "dossier"),
        )

    # The signed form alone, or the dossier with its signature page.
    private_files = (
        PrivateFile(
            url_name="enrolment_signatureevidence_file",
            route="<int:pk>/<str:kind>.pdf",
            model=SignatureEvidence,
            select_related=("enrolment",),
            file_of=lambda evidence, kind: {
                "bulletin": evidence.document,
                "dossier": evidence.dossier,
            }.get(kind),
            filename=lambda evidence, kind: f"{kind}-signe-{evidence.enrolment.member_number}.pdf",
            content_type="application/pdf",
            as_attachment=False,
        ),
    )
