from django.contrib import admin

from .models import Agency, PartnerProfessional

ADDRESS_FIELDS = (
    "address_floor",
    "address_building",
    "address_number",
    "address_street",
    "address_locality",
    "postal_code",
    "city",
)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "postal_code", "city", "department", "phone", "is_active")
    list_filter = ("is_active", "department")
    search_fields = ("name", "city", "postal_code")
    fieldsets = (
        (None, {"fields": ("name", "phone", "email", "opening_hours", "is_active")}),
        ("Adresse", {"fields": ADDRESS_FIELDS}),
    )


@admin.register(PartnerProfessional)
class PartnerProfessionalAdmin(admin.ModelAdmin):
    list_display = ("name", "specialty", "postal_code", "city", "department", "phone", "is_active")
    list_filter = ("specialty", "is_active", "department")
    search_fields = ("name", "city", "postal_code")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "specialty",
                    "network_benefits",
                    "phone",
                    "email",
                    "opening_hours",
                    "is_active",
                )
            },
        ),
        ("Adresse", {"fields": ADDRESS_FIELDS}),
    )
