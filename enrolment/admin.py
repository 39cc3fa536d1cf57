"""Back office: employees, enrolments, beneficiaries, bank details and the request
timeline. Lists show NIR and IBAN masked; history rows are read-only."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from mutuelle.admin_files import PrivateFile, PrivateFilesAdminMixin
from mutuelle.admin_reveal import SensitiveRevealMixin, masked_with_reveal
from mutuelle.fields import keyed_hash
from mutuelle.validators import compact_digits

from .enums import TerminationStatus
from .models import (
    BankAccount,
    Beneficiary,
    Employee,
    Enrolment,
    MemberChange,
    PostalLetter,
    Request,
    RequestEvent,
    SingleUseLink,
    Termination,
)
from .services.age_limits import beneficiary_record_student_proof
from .services.postal_letters import postal_letters_mark_posted
from .services.termination import (
    portability_proofs_due,
    portability_record_proof,
    termination_process,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields or [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RequestEventInline(ReadOnlyInline):
    model = RequestEvent
    fields = ["at", "label", "actor", "from_status", "to_status", "note", "visible_to_employer"]
    ordering = ["at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class NirSearchMixin:
    """A full NIR typed in the search box finds the person through the keyed hash."""

    def get_search_results(self, request, queryset, search_term):
        compact = compact_digits(search_term)
        if len(compact) == 15 and compact[:1].isdigit():
            return queryset.filter(**{self.nir_hash_lookup: keyed_hash(compact)}), False
        return super().get_search_results(request, queryset, search_term)


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    fields = ["contract", "group", "status", "offer", "effective_date"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("contract", "group", "offer__group")


class MemberChangeInline(ReadOnlyInline):
    """The member's own changes (profile, preferences, password): read-only."""

    model = MemberChange
    fields = ["at", "actor", "label", "old_value", "new_value"]
    verbose_name_plural = "historique des informations personnelles"


@admin.register(Employee)
class EmployeeAdmin(SensitiveRevealMixin, NirSearchMixin, admin.ModelAdmin):
    nir_hash_lookup = "nir_hash"
    sensitive_fields = {"nir": "numéro de sécurité sociale"}
    exclude = ["nir_hash"]
    list_display = [
        "last_name",
        "first_name",
        "company",
        "payroll_id",
        "birth_date",
        "masked_nir",
        "email",
        "hire_date",
    ]
    list_select_related = ["company"]
    list_filter = ["company", "civility", "alsace_moselle", "paperless_mail"]
    search_fields = ["last_name", "first_name", "email", "payroll_id", "company__legal_name"]
    autocomplete_fields = ["company", "user"]
    # The mobile and where it came from are the signature's evidence: set by the
    # employer's declaration or confirmed by a code the employee typed, never by hand.
    readonly_fields = [
        "nir_masked",
        "phone",
        "phone_source",
        "phone_confirmed_at",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "hire_date"
    inlines = [EnrolmentInline, MemberChangeInline]

    @admin.display(description="n° de sécurité sociale")
    def masked_nir(self, obj):
        return obj.masked_nir

    @admin.display(description="n° de sécurité sociale")
    def nir_masked(self, obj):
        return masked_with_reveal(obj, "nir", obj.masked_nir)


class BeneficiaryInline(admin.StackedInline):
    model = Beneficiary
    extra = 0
    fields = [
        ("relationship", "spouse_kind"),
        ("civility", "first_name", "last_name"),
        ("birth_date", "twin_rank", "is_student_or_apprentice"),
        ("nir_masked", "attached_to_member_nir", "insurance_fund_code"),
    ]
    readonly_fields = ["nir_masked"]

    @admin.display(description="n° de sécurité sociale")
    def nir_masked(self, obj):
        return masked_with_reveal(obj, "nir", obj.masked_nir)


class BankAccountInline(admin.TabularInline):
    model = BankAccount
    extra = 0
    fields = ["purpose", "beneficiary", "holder", "masked_iban", "bic"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="IBAN")
    def masked_iban(self, obj):
        return obj.masked_iban


class SingleUseLinkInline(ReadOnlyInline):
    """When links were sent and used; never their key nor what they carry."""

    model = SingleUseLink
    fields = ["kind", "created_at", "expires_at", "used_at", "revoked_at"]


class OnlineAccountFilter(admin.SimpleListFilter):
    title = "espace en ligne"
    parameter_name = "espace"

    def lookups(self, request, model_admin):
        return [("oui", "Créé"), ("non", "Pas encore créé")]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.filter(employee__user__isnull=False)
        if self.value() == "non":
            return queryset.filter(employee__user__isnull=True)
        return queryset


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    """The status changes only through the services (state machine + history)."""

    list_display = [
        "member_number",
        "employee",
        "company",
        "contract",
        "group",
        "status",
        "effective_date",
        "online_account",
        "invited_at",
        "expires_at",
    ]
    list_select_related = ["employee__company", "contract", "group"]
    list_filter = [
        "status",
        OnlineAccountFilter,
        "contract__product_line",
        "group__name",
        "employee__company",
    ]
    search_fields = [
        "employee__last_name",
        "employee__first_name",
        "employee__email",
        "employee__payroll_id",
        "contract__number",
    ]
    autocomplete_fields = ["employee", "contract", "created_by"]
    raw_id_fields = ["group", "offer"]
    readonly_fields = [
        "member_number",
        "status",
        "invited_at",
        "expires_at",
        "signed_at",
        "activated_at",
        "ended_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "created_at"
    inlines = [BeneficiaryInline, BankAccountInline, SingleUseLinkInline]

    @admin.display(description="n° d'adhérent", ordering="pk")
    def member_number(self, obj):
        return obj.member_number

    @admin.display(description="espace en ligne", boolean=True)
    def online_account(self, obj):
        return obj.employee.user_id is not None

    def get_readonly_fields(self, request, obj=None):
        # The imported member number is the member's identifier once their space
        # exists: set when the member is created, never changed afterwards.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "imported_member_number"] if obj is not None else fields

    @admin.display(description="entreprise", ordering="employee__company__legal_name")
    def company(self, obj):
        return obj.employee.company

    def get_search_results(self, request, queryset, search_term):
        # « 22000042 » (a member number) finds enrolment 42; an imported number its member.
        found = queryset.with_member_number(search_term)
        if found.exists():
            return found, False
        return super().get_search_results(request, queryset, search_term)


@admin.register(Beneficiary)
class BeneficiaryAdmin(SensitiveRevealMixin, NirSearchMixin, admin.ModelAdmin):
    nir_hash_lookup = "nir_hash"
    sensitive_fields = {"nir": "numéro de sécurité sociale"}
    exclude = ["nir_hash"]
    readonly_fields = ["nir_masked"]
    list_display = [
        "last_name",
        "first_name",
        "relationship",
        "birth_date",
        "twin_rank",
        "masked_nir",
        "enrolment",
        "covered_until",
    ]
    list_select_related = ["enrolment"]
    list_filter = ["relationship", "is_student_or_apprentice", "disabled"]
    actions = ["record_student_proof"]

    @admin.action(
        description="Justificatif étudiant ou apprenti reçu (couverture jusqu'à l'âge limite "
        "des étudiants)",
        permissions=["change"],
    )
    def record_student_proof(self, request, queryset):
        done = 0
        for beneficiary in queryset:
            try:
                beneficiary_record_student_proof(beneficiary=beneficiary)
            except ValidationError as exc:
                self.message_user(request, f"{beneficiary} : {exc.messages[0]}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, f"{done} justificatif(s) enregistré(s).", messages.SUCCESS)

    search_fields = ["last_name", "first_name", "enrolment__employee__last_name"]
    raw_id_fields = ["enrolment"]

    @admin.display(description="n° de sécurité sociale")
    def masked_nir(self, obj):
        return obj.masked_nir

    @admin.display(description="n° de sécurité sociale")
    def nir_masked(self, obj):
        return masked_with_reveal(obj, "nir", obj.masked_nir)


@admin.register(BankAccount)
class BankAccountAdmin(SensitiveRevealMixin, admin.ModelAdmin):
    sensitive_fields = {"iban": "IBAN"}
    readonly_fields = ["iban_masked"]
    list_display = ["holder", "purpose", "masked_iban", "bic", "enrolment", "updated_at"]
    list_select_related = ["enrolment"]
    list_filter = ["purpose"]
    search_fields = ["holder", "bic", "enrolment__employee__last_name"]
    raw_id_fields = ["enrolment", "beneficiary"]

    @admin.display(description="IBAN")
    def masked_iban(self, obj):
        return obj.masked_iban

    @admin.display(description="IBAN")
    def iban_masked(self, obj):
        return masked_with_reveal(obj, "iban", obj.masked_iban)


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = ["number", "type", "status", "company", "employee", "created_at", "closed_at"]
    list_select_related = ["company", "employee"]
    list_filter = ["type", "status", "company"]
    search_fields = ["employee__last_name", "employee__first_name", "company__legal_name"]
    readonly_fields = [
        "company",
        "employee",
        "enrolment",
        "type",
        "status",
        "status_note",
        "created_by",
        "created_at",
        "updated_at",
        "closed_at",
    ]
    date_hierarchy = "created_at"
    inlines = [RequestEventInline]

    @admin.display(description="n°", ordering="pk")
    def number(self, obj):
        return obj.number

    def has_add_permission(self, request):
        return False


@admin.register(RequestEvent)
class RequestEventAdmin(admin.ModelAdmin):
    """« Historique de la demande »: read-only."""

    list_display = ["at", "request", "label", "actor", "from_status", "to_status"]
    list_select_related = ["request", "actor"]
    list_filter = ["visible_to_employer", "request__type"]
    search_fields = ["label", "note", "request__employee__last_name"]
    date_hierarchy = "at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UnemploymentProofFilter(admin.SimpleListFilter):
    """Portability periods whose proof of unemployment benefits is missing or stale."""

    title = "justificatif chômage"
    parameter_name = "justificatif_chomage"

    def lookups(self, request, model_admin):
        return [("a_demander", "Manquant ou à renouveler")]

    def queryset(self, request, queryset):
        if self.value() == "a_demander":
            return portability_proofs_due(queryset)
        return queryset


@admin.register(Termination)
class TerminationAdmin(admin.ModelAdmin):
    list_display = (
        "enrolment",
        "employee_name",
        "company",
        "reason",
        "termination_date",
        "portability",
        "portability_end_date",
        "status",
        "created_at",
    )
    list_filter = ("status", "reason", "portability", UnemploymentProofFilter)
    search_fields = ("enrolment__employee__last_name", "enrolment__employee__company__legal_name")
    list_select_related = ("enrolment__employee__company",)
    date_hierarchy = "created_at"
    actions = ["process_terminations", "record_unemployment_proof_today"]
    readonly_fields = [f.name for f in Termination._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description="salarié", ordering="enrolment__employee__last_name")
    def employee_name(self, obj):
        return obj.enrolment.employee.full_name

    @admin.display(description="entreprise")
    def company(self, obj):
        return obj.enrolment.employee.company

    @admin.action(
        description="Traiter les résiliations sélectionnées (radiation ou portabilité)",
        permissions=["change"],
    )
    def process_terminations(self, request, queryset):
        done = 0
        for termination in queryset.filter(status=TerminationStatus.SUBMITTED):
            try:
                termination_process(termination=termination, by=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{termination} : {exc.messages[0]}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, f"{done} résiliation(s) traitée(s).", messages.SUCCESS)

    @admin.action(
        description="Enregistrer un justificatif d'indemnisation chômage reçu aujourd'hui",
        permissions=["change"],
    )
    def record_unemployment_proof_today(self, request, queryset):
        done = 0
        for termination in queryset.filter(portability=True):
            portability_record_proof(
                termination=termination, received_on=timezone.localdate(), by=request.user
            )
            done += 1
        self.message_user(request, f"{done} justificatif(s) enregistré(s).", messages.SUCCESS)


@admin.register(PostalLetter)
class PostalLetterAdmin(PrivateFilesAdminMixin, admin.ModelAdmin):
    """Letters for employees without e-mail, to print and post (identifier first)."""

    list_display = ("__str__", "employee_name", "kind", "created_at", "printed_at", "download")
    list_filter = ("kind", ("printed_at", admin.EmptyFieldListFilter))
    search_fields = ("enrolment__employee__last_name",)
    list_select_related = ("enrolment__employee",)
    ordering = (F("printed_at").asc(nulls_first=True), "enrolment_id", "kind")
    actions = ["mark_printed"]
    fields = ("enrolment", "kind", "created_at", "printed_at", "printed_by", "download")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="salarié")
    def employee_name(self, obj):
        return obj.enrolment.employee.full_name

    @admin.display(description="PDF")
    def download(self, obj):
        if not obj.file:
            return "Supprimé après envoi"
        return self.private_file_link(
            "enrolment_postalletter_download", "Télécharger le PDF", obj.pk
        )

    # The password letter's file is deleted once posted: 404 from then on.
    private_files = (
        PrivateFile(
            url_name="enrolment_postalletter_download",
            route="<int:pk>/pdf/",
            model=PostalLetter,
            select_related=("enrolment",),
            file_of=lambda letter: letter.file,
            filename=lambda letter: f"courrier-{letter.enrolment.member_number}-{letter.kind}.pdf",
            content_type="application/pdf",
        ),
    )

    @admin.action(description="Marquer comme imprimés et postés")
    def mark_printed(self, request, queryset):
        count = postal_letters_mark_posted(
            letter_ids=list(queryset.values_list("pk", flat=True)), by=request.user
        )
        self.message_user(
            request,
            f"{count} courrier(s) marqué(s) comme postés (les PDF de mot de passe provisoire "
            "sont supprimés).",
        )


# Signed enrolments to process, signature evidence, members' documents and cards
# (their own modules).
from . import member_admin  # noqa: E402, F401
from .signature import admin as signature_admin  # noqa: E402, F401
