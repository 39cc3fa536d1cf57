from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms.models import BaseInlineFormSet

from .models import (
    AccountManager,
    Company,
    Contract,
    CorrespondentAccess,
    GuaranteeRow,
    InsuredGroup,
    Offer,
    OutboxMessage,
    SensitiveDataAccess,
    User,
    guarantee_grid_errors,
)
from .notifications import outbox_resend
from .uploads import validate_pdf_document


class CorrespondentAccessInline(admin.TabularInline):
    model = CorrespondentAccess
    extra = 0
    autocomplete_fields = ["user", "company"]
    readonly_fields = ["created_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["email", "username", "last_name", "first_name", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "groups"]
    search_fields = ["email", "username", "first_name", "last_name"]
    ordering = ["email"]
    inlines = [CorrespondentAccessInline]
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "username", "password1", "password2")}),
    )


@admin.register(AccountManager)
class AccountManagerAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "phone", "email"]
    search_fields = ["last_name", "first_name", "email"]


class ContractInline(admin.TabularInline):
    model = Contract
    extra = 0
    fields = ["number", "product_line", "start_date", "dispensation_enabled"]
    show_change_link = True


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "siret", "trade_name", "city", "account_manager"]
    list_select_related = ["account_manager"]
    list_filter = ["account_manager"]
    search_fields = ["legal_name", "trade_name", "siret", "city"]
    autocomplete_fields = ["account_manager"]
    inlines = [ContractInline, CorrespondentAccessInline]
    fieldsets = (
        ("Identité", {"fields": ("legal_name", "siret", "trade_name", "account_manager")}),
        (
            "Adresse",
            {
                "fields": (
                    "address_floor",
                    "address_building",
                    ("address_number", "address_street"),
                    "address_locality",
                    ("postal_code", "city"),
                    "country",
                )
            },
        ),
        ("Coordonnées", {"fields": ("phone", "email")}),
    )


@admin.register(CorrespondentAccess)
class CorrespondentAccessAdmin(admin.ModelAdmin):
    list_display = ["user", "company", "created_at"]
    list_select_related = ["user", "company"]
    search_fields = ["user__email", "user__username", "company__legal_name", "company__siret"]
    autocomplete_fields = ["user", "company"]
    list_filter = ["company"]


class InsuredGroupInline(admin.TabularInline):
    model = InsuredGroup
    extra = 0


class ContractForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = "__all__"  # noqa: DJ007 - the admin edits the whole contract

    def clean_information_notice(self):
        notice = self.cleaned_data.get("information_notice")
        # A new upload is checked from its content; the stored file is left alone.
        if isinstance(notice, UploadedFile):
            validate_pdf_document(notice)
        return notice


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    form = ContractForm
    list_display = [
        "number",
        "company",
        "product_line",
        "start_date",
        "dispensation_enabled",
        "employee_debit",
    ]
    list_select_related = ["company"]
    list_filter = ["product_line", "dispensation_enabled", "employee_debit"]
    search_fields = ["number", "company__legal_name", "company__siret"]
    autocomplete_fields = ["company"]
    date_hierarchy = "start_date"
    inlines = [InsuredGroupInline]


@admin.register(InsuredGroup)
class InsuredGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "contract", "company"]
    list_select_related = ["contract__company"]
    list_filter = ["contract__product_line"]
    search_fields = ["name", "contract__number", "contract__company__legal_name"]

    @admin.display(description="entreprise", ordering="contract__company__legal_name")
    def company(self, obj):
        return obj.contract.company


class GuaranteeGridFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        # Empty extra forms have no cleaned data; rows ticked for deletion do not count.
        rows = [
            form.instance
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]
        errors = guarantee_grid_errors(rows)
        if errors:
            raise ValidationError(errors)


class GuaranteeRowInline(admin.TabularInline):
    """The offer's guarantee grid, edited in place: the engine and the PDF read it."""

    model = GuaranteeRow
    formset = GuaranteeGridFormSet
    extra = 0
    fields = [
        "display_order",
        "domain",
        "act_code",
        "label",
        "formula",
        "fee_sector",
        "rate",
        "amount",
        "ceiling",
        "count_limit",
        "period",
    ]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    inlines = [GuaranteeRowInline]
    list_display = [
        "level",
        "group",
        "contract",
        "member_monthly_cost",
        "spouse_monthly_cost",
        "child_monthly_cost",
        "has_guarantee_table",
    ]
    list_select_related = ["group", "contract"]
    list_filter = ["level", "contract__product_line"]
    search_fields = ["contract__number", "group__name", "contract__company__legal_name"]

    @admin.display(description="tableau de garanties", boolean=True)
    def has_guarantee_table(self, obj):
        return bool(obj.guarantee_table)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """What was sent: read-only evidence."""

    list_display = ["created_at", "channel", "recipient", "subject", "status", "attempts"]
    list_filter = ["status", "channel"]
    search_fields = ["recipient", "subject", "key"]
    date_hierarchy = "created_at"
    actions = ["resend"]

    @admin.action(description="Renvoyer les messages en échec sélectionnés")
    def resend(self, request, queryset):
        count = outbox_resend(message_ids=queryset.values_list("pk", flat=True))
        skipped = queryset.count() - count
        self.message_user(request, f"{count} message(s) remis en file d'envoi.")
        if skipped:
            self.message_user(
                request,
                f"{skipped} message(s) ignoré(s) : seuls les messages en échec sont renvoyés.",
                level=messages.WARNING,
            )

    # Secrets (links, codes) never show here: the text is displayed with them masked,
    # and the encrypted column is left out.
    fields = readonly_fields = [
        "key",
        "channel",
        "recipient",
        "subject",
        "text_redacted",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "queued_at",
        "sent_at",
    ]

    @admin.display(description="texte (liens et codes masqués)")
    def text_redacted(self, obj):
        return obj.text_redacted

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SensitiveDataAccess)
class SensitiveDataAccessAdmin(admin.ModelAdmin):
    """Who read a full NIR or IBAN, when, whose: superusers only, read-only."""

    list_display = ["at", "user", "field", "subject", "content_type", "object_id"]
    list_filter = ["field", "content_type"]
    search_fields = ["subject", "user__email", "user__username"]
    date_hierarchy = "at"
    list_select_related = ["user", "content_type"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
