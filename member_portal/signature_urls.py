from django.urls import path

from . import signature_views as views

# Included by member_portal/urls.py (namespace "member_portal").
urlpatterns = [
    path("signature/", views.signature_entry, name="signature_start"),
    path("adhesion/<int:enrolment_id>/signature/", views.signature_start, name="signature_start"),
    path(
        "adhesion/<int:enrolment_id>/signature/bulletin/",
        views.signature_form,
        name="signature_form",
    ),
    path(
        "adhesion/<int:enrolment_id>/signature/bulletin/lu/",
        views.signature_form_viewed_mark,
        name="signature_form_viewed",
    ),
    path(
        "adhesion/<int:enrolment_id>/signature/bulletin.pdf",
        views.signature_form_pdf,
        name="signature_form_pdf",
    ),
    path("adhesion/<int:enrolment_id>/signature/code/", views.signature_sms, name="signature_sms"),
    path(
        "adhesion/<int:enrolment_id>/signature/terminee/",
        views.signature_done,
        name="signature_done",
    ),
    path(
        "adhesion/<int:enrolment_id>/dossier-signe.pdf",
        views.signature_dossier,
        name="signature_dossier",
    ),
]
