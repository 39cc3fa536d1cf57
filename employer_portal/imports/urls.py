from django.urls import path, re_path

from . import views

urlpatterns = [
    path(
        "<int:company_id>/affiliation/fichier/",
        views.import_start,
        name="import_start",
    ),
    re_path(
        r"^(?P<company_id>[0-9]+)/affiliation/fichier/modele\.(?P<fmt>xlsx|csv)$",
        views.import_template,
        name="import_template",
    ),
    path(
        "<int:company_id>/affiliation/fichier/<int:job_id>/",
        views.import_job,
        name="import_job",
    ),
    path(
        "<int:company_id>/affiliation/fichier/<int:job_id>/etat/",
        views.import_job_status,
        name="import_job_status",
    ),
    path(
        "<int:company_id>/affiliation/fichier/<int:job_id>/relancer/",
        views.import_retry,
        name="import_job_retry",
    ),
    path(
        "<int:company_id>/affiliation/fichier/<int:job_id>/rejet/",
        views.import_rejection,
        name="import_rejection",
    ),
]
