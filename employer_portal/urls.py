from django.urls import include, path, re_path

from . import (
    document_views,
    employee_views,
    preaffiliation_views,
    request_views,
    views,
)

app_name = "employer_portal"

urlpatterns = [
    path("", views.companies, name="companies"),
    path("<int:company_id>/", views.home, name="home"),
    path("<int:company_id>/mon-entreprise/", views.company_detail, name="company"),
    path("", include("employer_portal.imports.urls")),
    # Mes demandes
    path("<int:company_id>/demandes/", request_views.request_list, name="requests"),
    path(
        "<int:company_id>/demandes/<int:request_id>/",
        request_views.request_detail,
        name="request_detail",
    ),
    path(
        "<int:company_id>/demandes/<int:request_id>/relancer/",
        request_views.request_remind,
        name="request_remind",
    ),
    path(
        "<int:company_id>/demandes/<int:request_id>/annuler/",
        request_views.request_cancel,
        name="request_cancel",
    ),
    path(
        "<int:company_id>/demandes/<int:request_id>/retirer-resiliation/",
        request_views.request_withdraw_termination,
        name="request_withdraw_termination",
    ),
    # Mes collaborateurs
    path("<int:company_id>/collaborateurs/", employee_views.employee_list, name="employees"),
    re_path(
        r"^(?P<company_id>[0-9]+)/collaborateurs/export\.(?P<fmt>xlsx|csv)$",
        employee_views.employee_export,
        name="employees_export",
    ),
    path(
        "<int:company_id>/collaborateurs/<int:enrolment_id>/",
        employee_views.employee_detail,
        name="employee_detail",
    ),
    path(
        "<int:company_id>/collaborateurs/<int:enrolment_id>/resilier/",
        employee_views.employee_terminate,
        name="employee_terminate",
    ),
    path(
        "<int:company_id>/collaborateurs/<int:enrolment_id>/notice.pdf",
        employee_views.employee_notice,
        name="employee_notice",
    ),
    # Mes documents
    path("<int:company_id>/documents/", document_views.documents, name="documents"),
    path(
        "<int:company_id>/documents/garanties/<int:offer_id>/",
        document_views.guarantee_table,
        name="guarantee_table",
    ),
    path(
        "<int:company_id>/documents/attestation-affiliation.pdf",
        document_views.affiliation_certificate,
        name="affiliation_certificate",
    ),
]

urlpatterns += [
    path(
        "<int:company_id>/ajouter-des-salaries/",
        preaffiliation_views.add_employees,
        name="add_employees",
    ),
    path(
        "<int:company_id>/ajouter-des-salaries/formulaire/",
        preaffiliation_views.preaffiliation_form,
        name="preaffiliation_form",
    ),
    path(
        "<int:company_id>/ajouter-des-salaries/adresse/",
        preaffiliation_views.preaffiliation_address,
        name="preaffiliation_address",
    ),
    path(
        "<int:company_id>/ajouter-des-salaries/verification/",
        preaffiliation_views.preaffiliation_review,
        name="preaffiliation_review",
    ),
    path(
        "<int:company_id>/ajouter-des-salaries/supprimer/<int:index>/",
        preaffiliation_views.preaffiliation_delete,
        name="preaffiliation_delete",
    ),
    path(
        "<int:company_id>/ajouter-des-salaries/abandonner/",
        preaffiliation_views.preaffiliation_cancel,
        name="preaffiliation_cancel",
    ),
    path(
        "<int:company_id>/ajouter-des-salaries/valider/",
        preaffiliation_views.preaffiliation_submit,
        name="preaffiliation_submit",
    ),
]
