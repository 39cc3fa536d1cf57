"""Filters of « Mes demandes » and « Mes collaborateurs » (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q

from enrolment.enums import EmployeeStatus, RequestStatus, RequestType
from mutuelle.addresses import postal_text

from .selectors import ENROLMENT_STATUSES_OF_EMPLOYEE_STATUS


def name_query(terms: str, prefix: str = "") -> Q:
    """Every word must be in the name, accents and case aside (« theo roux » finds Théo
    ROUX): the words are folded like the stored key."""
    query = Q()
    for word in postal_text(terms).split():
        query &= Q(**{f"{prefix}name_key__contains": word})
    return query


class RequestFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Rechercher (nom ou n° de demande)", method="search", max_length=100
    )
    type = django_filters.ChoiceFilter(
        label="Type de demande", choices=RequestType.choices, widget=forms.RadioSelect
    )
    status = django_filters.ChoiceFilter(
        label="Statut", choices=RequestStatus.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, dispensation_enabled: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not dispensation_enabled:
            self.filters["type"].extra["choices"] = [
                c for c in RequestType.choices if c[0] != RequestType.DISPENSATION
            ]

    def search(self, queryset, name, value):
        value = value.strip()
        compact = value.replace(" ", "").lstrip("0")
        if compact.isdigit():
            return queryset.filter(pk=int(compact))
        return queryset.filter(name_query(value, "employee__")) if value else queryset


class EnrolmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Rechercher (nom, prénom ou n° d'adhérent)", method="search", max_length=100
    )
    status = django_filters.ChoiceFilter(
        label="Statut", choices=EmployeeStatus.choices, method="filter_status"
    )
    contract = django_filters.ModelChoiceFilter(
        label="Contrat", queryset=None, empty_label="Tous les contrats"
    )

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["contract"].queryset = company.contracts.order_by("product_line", "number")

    def search(self, queryset, name, value):
        value = value.strip()
        if value.isdigit():
            # A member number: derived from the key, or imported from the mutuelle.
            return queryset.with_member_number(value)
        return queryset.filter(name_query(value, "employee__")) if value else queryset

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=ENROLMENT_STATUSES_OF_EMPLOYEE_STATUS[value])
