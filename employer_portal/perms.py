"""Tenant scoping: every employer page starts from a company the user manages."""

from django.shortcuts import get_object_or_404

from mutuelle.models import Company


def companies_of(user):
    return Company.objects.filter(correspondent_accesses__user=user)


def get_company_or_404(user, company_id: int) -> Company:
    """The company if ``user`` is one of its correspondents, else 404 (never 403: ids of
    other companies must not be confirmed)."""
    return get_object_or_404(companies_of(user).select_related("account_manager"), pk=company_id)
