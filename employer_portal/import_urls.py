from django.urls import path, re_path

from . import import_views

urlpatterns = [
    path(
        "<int:company_id>/affiliation/fichier/",
        import_views.import_start,
        name="import_start",
    ),
    re_path(
        r"^(?P<company_id>[0-9]+)/affiliation/fichier/modele\.(?P<fmt>xlsx|csv)$",
        import_views.import_template,
        name="import_template",
    ),
    path(
        "<int:company_id>/affiliation/fichier/<int:job_id>/",
        import_views.import_job,
        name="import_job",
    ),
    path(
        "<int:company_id>/affiliation/fichier/<int:job_id>/etat/",
        import_views.import_job_status,
        name="import_job_status",
    ),
    path(
        "<int:company_id>/affiliation/fichier/<int:job_id>/rejet.xlsx",
        import_views.import_rejection,
        name="import_rejection",
    ),
]
